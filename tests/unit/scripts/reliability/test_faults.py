"""Unit tests of scripts/reliability/faults.py: outages as IAM policies, failures from logs."""

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from bootstrap.policies import LAMBDA_TRUST
from scripts.reliability import faults

REGION = "us-east-1"
ROLE = "image-processor-role"
LOG_GROUP = "/aws/lambda/image-processor"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        iam = boto3.client("iam", region_name=REGION)
        iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
        logs = boto3.client("logs", region_name=REGION)
        logs.create_log_group(logGroupName=LOG_GROUP)
        logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName="worker")
        yield {"iam": iam, "logs": logs, "sqs": boto3.client("sqs", region_name=REGION)}


def test_outage_denies_reads_under_its_prefix_until_it_ends(aws: dict[str, Any]) -> None:
    outage = faults.AccessOutage(aws["iam"], ROLE, "uploads", "stress/poison/", "outage")

    outage.begin()
    document = aws["iam"].get_role_policy(RoleName=ROLE, PolicyName="outage")["PolicyDocument"]
    outage.end()
    outage.end()

    assert document["Statement"] == [
        {
            "Sid": "StressOutage",
            "Effect": "Deny",
            "Action": ["s3:GetObject"],
            "Resource": ["arn:aws:s3:::uploads/stress/poison/*"],
        }
    ]
    assert aws["iam"].list_role_policies(RoleName=ROLE)["PolicyNames"] == []


def test_failures_are_counted_per_key_from_the_processor_log(aws: dict[str, Any]) -> None:
    now_ms = int(time.time() * 1000)
    lines = [
        {"level": "ERROR", "message": "image processing failed", "key": "a b.jpg"},
        {"level": "ERROR", "message": "image processing failed", "key": "a b.jpg"},
        {"level": "ERROR", "message": "image processing failed", "key": "c.jpg"},
        {"level": "INFO", "message": "image processed", "key": "d.jpg"},
    ]
    aws["logs"].put_log_events(
        logGroupName=LOG_GROUP,
        logStreamName="worker",
        logEvents=[{"timestamp": now_ms, "message": json.dumps(line)} for line in lines],
    )

    failures = faults.count_logged_failures(aws["logs"], LOG_GROUP, now_ms - 1000)

    assert failures == {"a b.jpg": 2, "c.jpg": 1}


def test_no_log_group_yet_means_no_failures(aws: dict[str, Any]) -> None:
    assert faults.count_logged_failures(aws["logs"], "/aws/lambda/other", 0) == {}


def test_unreadable_message_is_not_json(aws: dict[str, Any]) -> None:
    queue_url = aws["sqs"].create_queue(QueueName="queue")["QueueUrl"]

    faults.send_unreadable_message(aws["sqs"], queue_url)

    body = aws["sqs"].receive_message(QueueUrl=queue_url)["Messages"][0]["Body"]
    with pytest.raises(ValueError):
        json.loads(body)
