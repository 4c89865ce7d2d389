"""Faults the stress command causes on purpose, each a real condition rather than a code hook:
a permission denied for a while, a message no processor can read, the emulator restarted.
"""

import json
import time
from collections import Counter
from typing import Any

from scripts import emulator

FAILURE_MESSAGE = "image processing failed"
LOG_PAGES = 20


class AccessOutage:
    """An explicit Deny of s3:GetObject under one key prefix, on the processor's role.

    What a mistaken policy change looks like: the processor's reads of those
    originals fail with AccessDenied (a retryable error) until the statement is
    removed. IAM is evaluated on every request: by MiniStack with AUTH=true,
    by AWS once the change has propagated.
    """

    def __init__(
        self, iam: Any, role_name: str, bucket_name: str, prefix: str, policy_name: str
    ) -> None:
        self.iam = iam
        self.role_name = role_name
        self.policy_name = policy_name
        self.resource = f"arn:aws:s3:::{bucket_name}/{prefix}*"

    def begin(self) -> None:
        """Deny the reads."""
        document = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "StressOutage",
                    "Effect": "Deny",
                    "Action": ["s3:GetObject"],
                    "Resource": [self.resource],
                }
            ],
        }
        self.iam.put_role_policy(
            RoleName=self.role_name,
            PolicyName=self.policy_name,
            PolicyDocument=json.dumps(document),
        )

    def end(self) -> None:
        """Allow the reads again (nothing happens when the outage already ended)."""
        try:
            self.iam.delete_role_policy(RoleName=self.role_name, PolicyName=self.policy_name)
        except self.iam.exceptions.NoSuchEntityException:
            return


def send_unreadable_message(sqs: Any, queue_url: str) -> str:
    """Put a message that is no S3 event into the upload-events queue; return its id."""
    answer = sqs.send_message(QueueUrl=queue_url, MessageBody="this is not an S3 event")
    return str(answer["MessageId"])


def count_logged_failures(logs: Any, log_group: str, since_ms: int) -> Counter[str]:
    """Count the processor's `image processing failed` lines per object key since `since_ms`."""
    return count_log_lines(logs, log_group, FAILURE_MESSAGE, since_ms)


def count_log_lines(logs: Any, log_group: str, message: str, since_ms: int) -> Counter[str]:
    """Count the processor's JSON log lines with exactly `message`, per object key."""
    counts: Counter[str] = Counter()
    request = {"logGroupName": log_group, "filterPattern": f'"{message}"', "startTime": since_ms}
    try:
        pages = logs.get_paginator("filter_log_events").paginate(**request)
        for page_number, page in enumerate(pages):
            for event in page.get("events", []):
                key = _key_of(event.get("message", ""), message)
                if key is not None:
                    counts[key] += 1
            if page_number + 1 >= LOG_PAGES:
                break
    except logs.exceptions.ResourceNotFoundException:
        return counts
    return counts


def _key_of(line: str, message: str) -> str | None:
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    if not isinstance(entry, dict) or entry.get("message") != message:
        return None
    key = entry.get("key")
    return key if isinstance(key, str) else None


def restart_emulator(
    paths: emulator.EmulatorPaths, port: int, enforce_auth: bool
) -> tuple[float, float]:
    """Stop the emulator with SIGTERM (it saves its state) and start it again on `port`.

    Returns how long stopping and starting took, in seconds.
    """
    started = time.monotonic()
    emulator.stop(paths)
    stopped = time.monotonic()
    emulator.start(paths, port, enforce_auth=enforce_auth)
    return stopped - started, time.monotonic() - stopped
