"""Unit tests of scripts/reliability/audit.py: stored objects judged against their rows (moto)."""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambdas import records
from scripts.reliability import audit

REGION = "us-east-1"
UPLOADS = "sample-image-uploads-bucket"
THUMBNAILS = "sample-thumbnails-bucket"
TABLE = "image_metadata"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        s3.create_bucket(Bucket=UPLOADS)
        s3.create_bucket(Bucket=THUMBNAILS)
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "image_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "image_id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        outputs = {
            "uploads_bucket": UPLOADS,
            "thumbnails_bucket": THUMBNAILS,
            "table_name": TABLE,
            "queue_url": sqs.create_queue(QueueName="queue")["QueueUrl"],
            "dlq_url": sqs.create_queue(QueueName="dlq")["QueueUrl"],
        }
        yield {"s3": s3, "dynamodb": dynamodb, "sqs": sqs, "outputs": outputs}


def store(aws: dict[str, Any], key: str, status: str | None, thumbnail: bool = True) -> None:
    aws["s3"].put_object(Bucket=UPLOADS, Key=key, Body=b"x")
    if status is not None:
        put_row(aws, key, status, thumbnail)


def put_row(aws: dict[str, Any], key: str, status: str, thumbnail: bool = True) -> None:
    image_id = records.make_image_id(UPLOADS, key)
    thumbnail_key = records.make_thumbnail_key(image_id, 200)
    item: dict[str, Any] = {
        "image_id": {"S": image_id},
        "original_key": {"S": key},
        "status": {"S": status},
    }
    if status == "ready":
        rendition = {"key": {"S": thumbnail_key}, "max_edge": {"N": "200"}}
        item["renditions"] = {"L": [{"M": rendition}]}
        if thumbnail:
            aws["s3"].put_object(Bucket=THUMBNAILS, Key=thumbnail_key, Body=b"jpeg")
    aws["dynamodb"].put_item(TableName=TABLE, Item=item)


def take(aws: dict[str, Any], expected: dict[str, bool]) -> audit.Audit:
    return audit.take_audit(aws, aws["outputs"], expected, check_thumbnails=True)


def test_every_object_with_its_expected_final_row_is_settled(aws: dict[str, Any]) -> None:
    store(aws, "a.jpg", "ready")
    store(aws, "b.jpg", "failed")

    result = take(aws, {"a.jpg": True, "b.jpg": False})

    assert (result.stored, result.ready, result.failed) == (2, 1, 1)
    assert (result.lost, result.unexpected, result.orphans) == ([], [], [])
    assert result.is_settled


def test_object_without_a_final_row_is_lost(aws: dict[str, Any]) -> None:
    store(aws, "no-row.jpg", None)
    store(aws, "pending.jpg", "pending")

    result = take(aws, {"no-row.jpg": True, "pending.jpg": True})

    assert (result.lost, result.pending_left) == (["no-row.jpg", "pending.jpg"], 1)
    assert not result.is_settled


def test_outcome_other_than_expected_or_unplanned_is_unexpected(aws: dict[str, Any]) -> None:
    store(aws, "valid.jpg", "failed")
    store(aws, "unplanned.jpg", "ready")

    result = take(aws, {"valid.jpg": True})

    assert result.unexpected == ["unplanned.jpg", "valid.jpg"]


def test_ready_row_without_its_thumbnail_is_reported(aws: dict[str, Any]) -> None:
    store(aws, "a.jpg", "ready", thumbnail=False)

    result = take(aws, {"a.jpg": True})

    assert result.missing_thumbnails == ["a.jpg"]
    assert not result.is_settled


def test_final_row_whose_original_is_gone_is_an_orphan(aws: dict[str, Any]) -> None:
    put_row(aws, "deleted.jpg", "ready")

    result = take(aws, {})

    assert (result.stored, result.orphans, result.abandoned) == (0, ["deleted.jpg"], [])


def test_pending_row_whose_upload_never_came_is_abandoned(aws: dict[str, Any]) -> None:
    put_row(aws, "uploads/token/a.jpg", "pending")

    result = take(aws, {})

    assert (result.abandoned, result.orphans, result.pending_left) == (
        ["uploads/token/a.jpg"],
        [],
        0,
    )
    assert result.is_settled


def test_waiting_messages_keep_the_audit_unsettled(aws: dict[str, Any]) -> None:
    aws["sqs"].send_message(QueueUrl=aws["outputs"]["queue_url"], MessageBody="event")
    aws["sqs"].send_message(QueueUrl=aws["outputs"]["dlq_url"], MessageBody="dead")

    result = take(aws, {})

    assert (result.queue_visible, result.dlq_depth, result.is_settled) == (1, 1, False)
