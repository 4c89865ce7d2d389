"""Move dead-lettered upload events back to the processor's queue once their cause is fixed.

    python -m scripts.redrive [--outputs FILE] [--dry-run] [--max N] [--prefix P]
                              [--drop-unreadable]

Lists every message of the dead-letter queue with the objects it names and the
reason the processor logged for it, then sends it to the upload-events queue
and deletes it from the dead-letter queue. SQS StartMessageMoveTask moves
messages too, but MiniStack lacks it and it can neither show reasons nor drop
a message no retry can fix; receive, send and delete work on every target.
"""

import argparse
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from lambdas import events, records
from scripts.reliability.clients import make_client
from scripts.results import DEFAULT_OUTPUTS, load_outputs

Action = Literal["moved", "dropped", "kept"]

RECEIVE_BATCH = 10
# Long enough that one run never receives the same message twice.
HOLD_S = 120
LOG_PAGES = 3
REASON_CHARS = 240
# How botocore words a ClientError: code, operation, then the service's message.
AWS_ERROR = re.compile(r"An error occurred \((\w+)\) when calling the (\w+) operation: (.*)")


@dataclass(frozen=True)
class DeadLetter:
    """One message of the dead-letter queue and what it is about."""

    message_id: str
    receipt_handle: str
    body: str
    message_attributes: Mapping[str, Any]
    receive_count: int
    sent_at: datetime | None
    keys: tuple[str, ...]
    image_ids: tuple[str, ...]
    is_readable: bool


@dataclass
class RedriveReport:
    """What a run did with each dead letter, and the reason found for it."""

    actions: list[tuple[DeadLetter, Action, str]] = field(default_factory=list)

    def count(self, action: Action) -> int:
        """Return how many messages got `action`."""
        return sum(1 for _, taken, _ in self.actions if taken == action)


def receive_dead_letters(sqs: Any, dlq_url: str, max_messages: int) -> list[DeadLetter]:
    """Receive up to `max_messages` dead letters, hiding each for HOLD_S seconds meanwhile."""
    letters: list[DeadLetter] = []
    while len(letters) < max_messages:
        answer = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=min(RECEIVE_BATCH, max_messages - len(letters)),
            VisibilityTimeout=HOLD_S,
            WaitTimeSeconds=1,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = answer.get("Messages", [])
        if not messages:
            break
        letters.extend(describe_message(message) for message in messages)
    return letters


def describe_message(message: Mapping[str, Any]) -> DeadLetter:
    """Turn a received SQS message into a DeadLetter, naming the objects of its S3 event."""
    attributes = message.get("Attributes", {})
    sent_ms = attributes.get("SentTimestamp")
    try:
        notification = events.parse_queue_message_body(message["Body"])
    except events.EventParseError:
        notification = None

    object_events = notification.events if notification else ()
    return DeadLetter(
        message_id=message["MessageId"],
        receipt_handle=message["ReceiptHandle"],
        body=message["Body"],
        message_attributes=message.get("MessageAttributes", {}),
        receive_count=int(attributes.get("ApproximateReceiveCount", 0)),
        sent_at=datetime.fromtimestamp(int(sent_ms) / 1000, UTC) if sent_ms else None,
        keys=tuple(event.key for event in object_events),
        image_ids=tuple(records.make_image_id(event.bucket, event.key) for event in object_events),
        is_readable=notification is not None,
    )


def find_reason(logs: Any, log_group: str, letter: DeadLetter) -> str:
    """Return the last error the processor logged about the letter's objects (or the message)."""
    term = letter.image_ids[0] if letter.image_ids else letter.message_id
    request: dict[str, Any] = {"logGroupName": log_group, "filterPattern": f'"{term}"'}
    if letter.sent_at is not None:
        request["startTime"] = int(letter.sent_at.timestamp() * 1000) - 1000

    reason = ""
    try:
        for page_number, page in enumerate(
            logs.get_paginator("filter_log_events").paginate(**request)
        ):
            for event in page.get("events", []):
                reason = _error_summary(event.get("message", "")) or reason
            if page_number + 1 >= LOG_PAGES:
                break
    except logs.exceptions.ResourceNotFoundException:
        return "no log group found"
    return reason or "no error logged for it"


def _error_summary(line: str) -> str:
    """Summarise one ERROR log line as `<message>: <exception>`, AWS errors by code and call."""
    try:
        entry = json.loads(line)
    except ValueError:
        return ""
    if not isinstance(entry, dict) or entry.get("level") != "ERROR":
        return ""
    lines = str(entry.get("exception", "")).strip().splitlines()
    detail = lines[-1].split(": ", 1)[-1] if lines else ""
    aws_error = AWS_ERROR.match(detail)
    if aws_error:
        code, operation, text = aws_error.groups()
        detail = f"{operation} {code}: {text}"
    else:
        detail = f"{entry.get('exception_name', 'error')}: {detail}"
    return f"{entry.get('message', 'error')}: {detail}"[:REASON_CHARS]


def redrive(
    outputs: Mapping[str, Any],
    dry_run: bool = False,
    max_messages: int = 1000,
    drop_unreadable: bool = False,
    clients: Mapping[str, Any] | None = None,
    prefix: str = "",
) -> RedriveReport:
    """Move every dead letter back to the upload-events queue (unless `dry_run`).

    With `prefix`, only letters whose objects all have keys starting so are
    moved (the cause fixed for one folder); the others are kept. Messages that
    are not S3 event notifications are dropped with `drop_unreadable` (no
    retry can help them) and kept otherwise.
    """
    sqs = (clients or {}).get("sqs") or make_client(outputs, "sqs")
    logs = (clients or {}).get("logs") or make_client(outputs, "logs")
    dlq_url, queue_url = outputs["dlq_url"], outputs["queue_url"]
    log_group = f"/aws/lambda/{outputs['processor_function']}"

    report = RedriveReport()
    for letter in receive_dead_letters(sqs, dlq_url, max_messages):
        reason = find_reason(logs, log_group, letter)
        action = _choose_action(letter, dry_run, drop_unreadable, prefix)
        if action == "moved":
            _send_back(sqs, queue_url, letter)
        if action in ("moved", "dropped"):
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=letter.receipt_handle)
        else:
            sqs.change_message_visibility(
                QueueUrl=dlq_url, ReceiptHandle=letter.receipt_handle, VisibilityTimeout=0
            )
        report.actions.append((letter, action, reason))
    return report


def _choose_action(letter: DeadLetter, dry_run: bool, drop_unreadable: bool, prefix: str) -> Action:
    if dry_run:
        return "kept"
    if not letter.is_readable:
        return "dropped" if drop_unreadable else "kept"
    if not all(key.startswith(prefix) for key in letter.keys):
        return "kept"
    return "moved"


def _send_back(sqs: Any, queue_url: str, letter: DeadLetter) -> None:
    """Send the letter's body and attributes as a new message (sent first, deleted after)."""
    request: dict[str, Any] = {"QueueUrl": queue_url, "MessageBody": letter.body}
    if letter.message_attributes:
        request["MessageAttributes"] = letter.message_attributes
    sqs.send_message(**request)


def build_table(report: RedriveReport) -> Table:
    """Lay out one line per dead letter: id, receives, objects, reason, what was done."""
    table = Table(title=f"{len(report.actions)} dead letters", title_justify="left")
    for column in ("message", "receives", "sent", "objects", "reason", "action"):
        table.add_column(column)

    # Text cells, not markup: object keys and log text are shown as they are.
    for letter, action, reason in report.actions:
        objects = ", ".join(letter.keys) if letter.is_readable else "(not an S3 event)"
        sent = letter.sent_at.isoformat(timespec="seconds") if letter.sent_at else ""
        table.add_row(
            Text(letter.message_id[:8]),
            Text(str(letter.receive_count)),
            Text(sent),
            Text(objects),
            Text(reason),
            Text(action, style={"moved": "green", "dropped": "red"}.get(action, "")),
        )
    return table


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    """Run the command line; return the process exit code."""
    args = _parse_args(argv)
    console = console or Console()
    try:
        outputs = load_outputs(args.outputs)
        if not outputs.get("dlq_url") or not outputs.get("queue_url"):
            raise KeyError("queue_url/dlq_url (the queue trigger is not provisioned)")
    except (OSError, ValueError, KeyError) as exc:
        console.print(f"cannot read the outputs file {args.outputs}: {exc}")
        return 1

    report = redrive(outputs, args.dry_run, args.max, args.drop_unreadable, prefix=args.prefix)
    console.print(build_table(report))
    console.print(
        f"moved {report.count('moved')}, dropped {report.count('dropped')}, "
        f"kept {report.count('kept')}"
    )
    return 0


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("PIPELINE_OUTPUTS_FILE") or DEFAULT_OUTPUTS
    parser.add_argument("--outputs", type=Path, default=Path(default), help="outputs file")
    parser.add_argument("--dry-run", action="store_true", help="list only; move nothing")
    parser.add_argument("--max", type=int, default=1000, help="at most this many messages")
    parser.add_argument("--prefix", default="", help="move only letters about keys starting so")
    parser.add_argument(
        "--drop-unreadable",
        action="store_true",
        help="delete messages that are not S3 event notifications instead of keeping them",
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
