"""Unit tests of scripts/redrive.py against moto: dead letters listed with reasons, moved back."""

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from rich.console import Console

from lambdas import records
from scripts import redrive

REGION = "us-east-1"
BUCKET = "sample-image-uploads-bucket"
FUNCTION = "image-processor"
LOG_GROUP = f"/aws/lambda/{FUNCTION}"
POISON_KEY = "poison/a b.jpg"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    for name, value in {
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        logs = boto3.client("logs", region_name=REGION)
        outputs = {
            "region": REGION,
            "endpoint_url": None,
            "table_name": "image_metadata",
            "queue_url": sqs.create_queue(QueueName="image-processor-queue")["QueueUrl"],
            "dlq_url": sqs.create_queue(QueueName="image-processor-dlq")["QueueUrl"],
            "processor_function": FUNCTION,
        }
        logs.create_log_group(logGroupName=LOG_GROUP)
        logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName="worker")
        yield {"sqs": sqs, "logs": logs, "outputs": outputs}


def s3_event_body(key: str) -> str:
    record = {
        "eventSource": "aws:s3",
        "eventName": "ObjectCreated:Put",
        "eventTime": "2024-05-01T10:20:30.123Z",
        "s3": {
            "bucket": {"name": BUCKET},
            "object": {"key": key.replace(" ", "+"), "size": 10, "sequencer": "0A"},
        },
    }
    return json.dumps({"Records": [record]})


def log_error(logs: Any, message: str, exception: str, **fields: str) -> None:
    """Log like the processor does, at the current time (after the message was sent)."""
    line = {"level": "ERROR", "message": message, "exception": exception, **fields}
    logs.put_log_events(
        logGroupName=LOG_GROUP,
        logStreamName="worker",
        logEvents=[{"timestamp": int(time.time() * 1000), "message": json.dumps(line)}],
    )


def depth(sqs: Any, queue_url: str) -> int:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]
    return sum(int(attributes[name]) for name in names)


def received_bodies(sqs: Any, queue_url: str) -> list[str]:
    answer = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
    return [message["Body"] for message in answer.get("Messages", [])]


def test_s3_events_are_moved_back_to_the_queue_and_leave_the_dlq(aws: dict[str, Any]) -> None:
    sqs, outputs = aws["sqs"], aws["outputs"]
    body = s3_event_body(POISON_KEY)
    sqs.send_message(QueueUrl=outputs["dlq_url"], MessageBody=body)

    report = redrive.redrive(outputs, clients=aws)

    assert [(letter.keys, action) for letter, action, _ in report.actions] == [
        ((POISON_KEY,), "moved")
    ]
    assert depth(sqs, outputs["dlq_url"]) == 0
    assert received_bodies(sqs, outputs["queue_url"]) == [body]


def test_unreadable_message_is_kept_unless_dropping_is_asked(aws: dict[str, Any]) -> None:
    sqs, outputs = aws["sqs"], aws["outputs"]
    sqs.send_message(QueueUrl=outputs["dlq_url"], MessageBody="not an S3 event")

    kept = redrive.redrive(outputs, clients=aws)
    dropped = redrive.redrive(outputs, drop_unreadable=True, clients=aws)

    assert [action for _, action, _ in kept.actions] == ["kept"]
    assert [action for _, action, _ in dropped.actions] == ["dropped"]
    assert depth(sqs, outputs["dlq_url"]) == 0
    assert depth(sqs, outputs["queue_url"]) == 0


def test_dry_run_moves_nothing_and_leaves_the_letter_receivable(aws: dict[str, Any]) -> None:
    sqs, outputs = aws["sqs"], aws["outputs"]
    body = s3_event_body(POISON_KEY)
    sqs.send_message(QueueUrl=outputs["dlq_url"], MessageBody=body)

    report = redrive.redrive(outputs, dry_run=True, clients=aws)

    assert [action for _, action, _ in report.actions] == ["kept"]
    assert received_bodies(sqs, outputs["dlq_url"]) == [body]
    assert depth(sqs, outputs["queue_url"]) == 0


def test_prefix_moves_only_letters_about_keys_under_it(aws: dict[str, Any]) -> None:
    sqs, outputs = aws["sqs"], aws["outputs"]
    for key in ("fixed/a.jpg", "broken/b.jpg"):
        sqs.send_message(QueueUrl=outputs["dlq_url"], MessageBody=s3_event_body(key))

    report = redrive.redrive(outputs, prefix="fixed/", clients=aws)

    actions = sorted((letter.keys, action) for letter, action, _ in report.actions)
    assert actions == [(("broken/b.jpg",), "kept"), (("fixed/a.jpg",), "moved")]
    assert received_bodies(sqs, outputs["dlq_url"]) == [s3_event_body("broken/b.jpg")]


def test_message_attributes_travel_with_the_moved_message(aws: dict[str, Any]) -> None:
    sqs, outputs = aws["sqs"], aws["outputs"]
    attributes = {"origin": {"DataType": "String", "StringValue": "test"}}
    sqs.send_message(
        QueueUrl=outputs["dlq_url"],
        MessageBody=s3_event_body(POISON_KEY),
        MessageAttributes=attributes,
    )

    redrive.redrive(outputs, clients=aws)

    answer = sqs.receive_message(QueueUrl=outputs["queue_url"], MessageAttributeNames=["All"])
    assert answer["Messages"][0]["MessageAttributes"] == attributes


def test_reason_is_the_error_logged_for_the_object(aws: dict[str, Any]) -> None:
    sqs, logs, outputs = aws["sqs"], aws["logs"], aws["outputs"]
    image_id = records.make_image_id(BUCKET, POISON_KEY)
    denied = (
        "Traceback (most recent call last):\n"
        "botocore.errorfactory.AccessDenied: An error occurred (AccessDenied) when calling "
        "the GetObject operation: not authorized to perform: s3:GetObject"
    )
    sqs.send_message(QueueUrl=outputs["dlq_url"], MessageBody=s3_event_body(POISON_KEY))
    log_error(logs, "image processing failed", denied, image_id=image_id, key=POISON_KEY)

    report = redrive.redrive(outputs, dry_run=True, clients=aws)

    assert [reason for _, _, reason in report.actions] == [
        "image processing failed: GetObject AccessDenied: not authorized to perform: s3:GetObject"
    ]


def test_reason_of_an_unreadable_message_is_found_by_its_message_id(
    aws: dict[str, Any],
) -> None:
    sqs, logs, outputs = aws["sqs"], aws["logs"], aws["outputs"]
    message_id = sqs.send_message(QueueUrl=outputs["dlq_url"], MessageBody="{")["MessageId"]
    unreadable = "Traceback ...\nlambdas.events.EventParseError: the message body is not JSON"
    log_error(
        logs,
        "unreadable queue message",
        unreadable,
        message_id=message_id,
        exception_name="EventParseError",
    )

    report = redrive.redrive(outputs, dry_run=True, clients=aws)

    assert [reason for _, _, reason in report.actions] == [
        "unreadable queue message: EventParseError: the message body is not JSON"
    ]


def test_reason_says_when_nothing_was_logged(aws: dict[str, Any]) -> None:
    sqs, outputs = aws["sqs"], aws["outputs"]
    sqs.send_message(QueueUrl=outputs["dlq_url"], MessageBody=s3_event_body(POISON_KEY))

    report = redrive.redrive(outputs, dry_run=True, clients=aws)

    assert [reason for _, _, reason in report.actions] == ["no error logged for it"]


def test_at_most_max_messages_are_handled(aws: dict[str, Any]) -> None:
    sqs, outputs = aws["sqs"], aws["outputs"]
    for number in range(3):
        sqs.send_message(QueueUrl=outputs["dlq_url"], MessageBody=s3_event_body(f"k{number}.jpg"))

    report = redrive.redrive(outputs, max_messages=2, clients=aws)

    assert report.count("moved") == 2
    assert depth(sqs, outputs["queue_url"]) == 2


def test_main_refuses_outputs_without_queues(tmp_path: Path) -> None:
    outputs_file = tmp_path / "outputs.json"
    outputs_file.write_text(json.dumps({"region": REGION, "table_name": "t", "dlq_url": None}))
    console = Console(record=True, width=200)

    code = redrive.main(["--outputs", str(outputs_file)], console)

    assert code == 1
    assert "queue trigger is not provisioned" in console.export_text()
