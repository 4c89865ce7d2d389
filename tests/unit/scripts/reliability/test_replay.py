"""Unit tests of scripts/reliability/replay.py: duplicate and late copies queued, rows compared."""

import json
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from rich.console import Console

from lambdas import events, records
from scripts import emulator
from scripts.reliability import replay
from scripts.reliability.context import StressContext, StressOptions

REGION = "us-east-1"
UPLOADS = "sample-image-uploads-bucket"
TABLE = "image_metadata"
LOG_GROUP = "/aws/lambda/image-processor"
SEQUENCER = "0000000000000000000661D148FEECF1"


@pytest.fixture
def ctx(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[StressContext]:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        clients = {
            service: boto3.client(service, region_name=REGION)
            for service in ("dynamodb", "sqs", "logs")
        }
        clients["dynamodb"].create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "image_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "image_id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        clients["logs"].create_log_group(logGroupName=LOG_GROUP)
        clients["logs"].create_log_stream(logGroupName=LOG_GROUP, logStreamName="worker")
        outputs = {
            "uploads_bucket": UPLOADS,
            "region": REGION,
            "table_name": TABLE,
            "queue_url": clients["sqs"].create_queue(QueueName="queue")["QueueUrl"],
            "processor_function": "image-processor",
        }
        yield StressContext(
            console=Console(quiet=True),
            options=StressOptions(),
            outputs=outputs,
            clients=clients,
            paths=emulator.EmulatorPaths(tmp_path, tmp_path),
            port=0,
            role_name="image-processor-role",
            run_prefix="stress/",
            findings_dir=tmp_path,
        )


def put_ready_row(ctx: StressContext, key: str) -> None:
    image_id = records.make_image_id(UPLOADS, key)
    item = {
        "image_id": {"S": image_id},
        "original_key": {"S": key},
        "status": {"S": "ready"},
        "uploaded_at": {"S": "2024-05-01T10:20:30.123Z"},
        "byte_size": {"N": "1234"},
        "sequencer": {"S": SEQUENCER},
    }
    ctx.clients["dynamodb"].put_item(TableName=TABLE, Item=item)


def log_outcome(ctx: StressContext, key: str, message: str) -> None:
    line = json.dumps({"level": "WARNING", "message": message, "key": key})
    ctx.clients["logs"].put_log_events(
        logGroupName=LOG_GROUP,
        logStreamName="worker",
        logEvents=[{"timestamp": int(time.time() * 1000), "message": line}],
    )


def queued_sequencers(ctx: StressContext) -> list[str]:
    answer = ctx.clients["sqs"].receive_message(
        QueueUrl=ctx.outputs["queue_url"], MaxNumberOfMessages=10
    )
    notifications = [events.parse_queue_message_body(m["Body"]) for m in answer["Messages"]]
    return sorted(event.sequencer for note in notifications for event in note.events)


def test_each_chosen_object_gets_a_duplicate_and_an_older_event(ctx: StressContext) -> None:
    put_ready_row(ctx, "stress/load/a.jpg")
    put_ready_row(ctx, "elsewhere/b.jpg")

    replay.send_duplicate_and_late_events(ctx)

    older = "0000000000000000000661D148FEECF0"
    assert queued_sequencers(ctx) == [older, SEQUENCER]
    assert [row["original_key"] for row in ctx.replayed_rows.values()] == ["stress/load/a.jpg"]


def test_unchanged_rows_and_both_outcomes_logged_are_ok(ctx: StressContext) -> None:
    put_ready_row(ctx, "stress/load/a.jpg")
    replay.send_duplicate_and_late_events(ctx)
    log_outcome(ctx, "stress/load/a.jpg", "duplicate event ignored")
    log_outcome(ctx, "stress/load/a.jpg", "stale event ignored")

    replay.check_replayed_rows(ctx)

    fault = ctx.report.faults["duplicate and late events"]
    assert (fault["ok"], fault["logged"], ctx.report.problems) == (
        True,
        {"duplicate": 1, "stale": 1},
        [],
    )


def test_a_row_rewritten_by_a_replay_is_a_problem(ctx: StressContext) -> None:
    put_ready_row(ctx, "stress/load/a.jpg")
    replay.send_duplicate_and_late_events(ctx)
    ctx.clients["dynamodb"].update_item(
        TableName=TABLE,
        Key={"image_id": {"S": records.make_image_id(UPLOADS, "stress/load/a.jpg")}},
        UpdateExpression="SET processed_at = :later",
        ExpressionAttributeValues={":later": {"S": "2030-01-01T00:00:00.000Z"}},
    )

    replay.check_replayed_rows(ctx)

    assert ctx.report.faults["duplicate and late events"]["changed"] == ["stress/load/a.jpg"]
    assert not ctx.report.is_clean
