"""Unit tests of lambdas/processor.py against moto: rows, thumbnails, ordering, batch failures."""

import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError
from moto import mock_aws
from PIL import Image

from lambdas import config, processor, records

REGION = "us-east-1"
UPLOADS = "sample-image-uploads-bucket"
THUMBNAILS = "sample-thumbnails-bucket"
TABLE = "image_metadata"
PROCESSED_AT = datetime(2024, 5, 1, 10, 21, 0, 250000, tzinfo=UTC)
OLDER, NEWER = "0062E99A88DC407460", "0062E99A88DC407461"

SETTINGS = {
    "PIPELINE_TABLE_NAME": TABLE,
    "PIPELINE_UPLOADS_BUCKET": UPLOADS,
    "PIPELINE_THUMBNAILS_BUCKET": THUMBNAILS,
    "PIPELINE_THUMBNAIL_SIZES": "200",
    "PIPELINE_MAX_UPLOAD_BYTES": "100000",
    "PIPELINE_MAX_PIXELS": "4000000",
    "PIPELINE_LIST_SHARDS": "4",
}


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch) -> Iterator[processor.Services]:
    for name, value in {
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)

    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        s3.create_bucket(Bucket=UPLOADS)
        s3.create_bucket(Bucket=THUMBNAILS)
        create_table(dynamodb)
        yield processor.Services(
            config=config.load_config(SETTINGS),
            s3=s3,
            dynamodb=dynamodb,
            now=lambda: PROCESSED_AT,
        )


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Capture the processor's JSON log lines (Powertools writes through one stream handler)."""
    handler = processor.logger.logger_handler
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def read_log_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def create_table(dynamodb: Any) -> None:
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "image_id", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "image_id", "AttributeType": "S"},
            {"AttributeName": "list_shard", "AttributeType": "S"},
            {"AttributeName": "list_sort", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": records.LISTING_INDEX,
                "KeySchema": [
                    {"AttributeName": "list_shard", "KeyType": "HASH"},
                    {"AttributeName": "list_sort", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def jpeg_bytes(size: tuple[int, int] = (1800, 1200), colour: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def upload(services: processor.Services, key: str, data: bytes) -> None:
    services.s3.put_object(Bucket=UPLOADS, Key=key, Body=data)


def s3_record(
    key: str,
    event_name: str = "ObjectCreated:Put",
    sequencer: str = OLDER,
    size: int | None = None,
    event_time: str = "2024-05-01T10:20:30.123Z",
    bucket: str = UPLOADS,
) -> dict[str, Any]:
    """An S3 notification record; `key` is encoded as S3 encodes it (here: spaces as +)."""
    s3_object: dict[str, Any] = {"key": key.replace(" ", "+"), "sequencer": sequencer}
    if size is not None:
        s3_object["size"] = size
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": REGION,
        "eventTime": event_time,
        "eventName": event_name,
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket}, "object": s3_object},
    }


def sqs_event(*bodies: dict[str, Any]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"message-{index}",
                "receiptHandle": f"handle-{index}",
                "body": json.dumps(body),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:000000000000:image-processor-queue",
                "awsRegion": REGION,
            }
            for index, body in enumerate(bodies)
        ]
    }


def notification(*s3_records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(s3_records)}


def read_row(services: processor.Services, key: str) -> dict[str, Any] | None:
    image_id = records.make_image_id(UPLOADS, key)
    item = services.dynamodb.get_item(TableName=TABLE, Key={"image_id": {"S": image_id}})
    if "Item" not in item:
        return None
    deserializer = TypeDeserializer()
    return {name: deserializer.deserialize(value) for name, value in item["Item"].items()}


def count_rows(services: processor.Services) -> int:
    return services.dynamodb.scan(TableName=TABLE)["Count"]


def thumbnail_keys(services: processor.Services) -> list[str]:
    listing = services.s3.list_objects_v2(Bucket=THUMBNAILS)
    return [entry["Key"] for entry in listing.get("Contents", [])]


def test_new_upload_gets_a_thumbnail_and_a_ready_row(services: processor.Services) -> None:
    key = "photos/summer holiday.jpg"
    data = jpeg_bytes()
    upload(services, key, data)
    event = sqs_event(notification(s3_record(key, size=len(data))))

    response = processor.handle_event(event, services)

    image_id = records.make_image_id(UPLOADS, key)
    thumbnail_key = records.make_thumbnail_key(image_id, 200)
    thumbnail = services.s3.get_object(Bucket=THUMBNAILS, Key=thumbnail_key)
    row = read_row(services, key)
    assert response == {"batchItemFailures": []}
    assert thumbnail["ContentType"] == "image/jpeg"
    assert thumbnail["CacheControl"] == "public, max-age=86400"
    thumbnail_bytes = thumbnail["Body"].read()
    assert Image.open(io.BytesIO(thumbnail_bytes)).size == (200, 133)
    list_shard, list_sort = records.make_listing_keys(image_id, "2024-05-01T10:20:30.123Z", 4)
    assert row == {
        "image_id": image_id,
        "bucket": UPLOADS,
        "original_key": key,
        "name": "summer holiday.jpg",
        "status": "ready",
        "thumbnail_key": thumbnail_key,
        "renditions": [
            {
                "key": thumbnail_key,
                "max_edge": 200,
                "width": 200,
                "height": 133,
                "byte_size": len(thumbnail_bytes),
            }
        ],
        "width": 1800,
        "height": 1200,
        "format": "JPEG",
        "byte_size": len(data),
        "content_type": "image/jpeg",
        "uploaded_at": "2024-05-01T10:20:30.123Z",
        "processed_at": "2024-05-01T10:21:00.250Z",
        "sequencer": records.pad_sequencer(OLDER),
        "list_shard": list_shard,
        "list_sort": list_sort,
    }


def test_final_row_replaces_the_pending_row_and_its_expiry(
    services: processor.Services,
) -> None:
    key = "uploads/abc.jpg"
    image_id = records.make_image_id(UPLOADS, key)
    services.dynamodb.put_item(
        TableName=TABLE,
        Item={
            "image_id": {"S": image_id},
            "status": {"S": "pending"},
            "expires_at": {"N": "1714600000"},
        },
    )
    upload(services, key, jpeg_bytes())

    processor.handle_event(notification(s3_record(key)), services)

    row = read_row(services, key)
    assert row is not None
    assert row["status"] == "ready"
    assert "expires_at" not in row


def test_duplicate_event_leaves_one_row_and_one_thumbnail(
    services: processor.Services, log_stream: io.StringIO
) -> None:
    key = "a.jpg"
    upload(services, key, jpeg_bytes())
    event = sqs_event(notification(s3_record(key)))

    processor.handle_event(event, services)
    response = processor.handle_event(event, services)

    assert response == {"batchItemFailures": []}
    assert count_rows(services) == 1
    assert thumbnail_keys(services) == [
        records.make_thumbnail_key(records.make_image_id(UPLOADS, key), 200)
    ]
    outcomes = [line["outcome"] for line in read_log_lines(log_stream)]
    assert outcomes == ["ready", "duplicate"]


def test_older_event_arriving_late_never_overwrites_the_newer_row(
    services: processor.Services, log_stream: io.StringIO
) -> None:
    key = "a.jpg"
    upload(services, key, jpeg_bytes())
    newer = s3_record(key, sequencer=NEWER, event_time="2024-05-01T10:30:00.000Z")
    older = s3_record(key, sequencer=OLDER, event_time="2024-05-01T10:20:00.000Z")

    processor.handle_event(sqs_event(notification(newer)), services)
    response = processor.handle_event(sqs_event(notification(older)), services)

    row = read_row(services, key)
    assert response == {"batchItemFailures": []}
    assert row is not None
    assert (row["uploaded_at"], row["sequencer"]) == (
        "2024-05-01T10:30:00.000Z",
        records.pad_sequencer(NEWER),
    )
    stale_lines = [line for line in read_log_lines(log_stream) if line["outcome"] == "stale"]
    assert [(line["level"], line["message"]) for line in stale_lines] == [
        ("WARNING", "stale event ignored")
    ]


def test_image_replaced_by_unreadable_bytes_loses_its_thumbnail(
    services: processor.Services,
) -> None:
    key = "a.jpg"
    upload(services, key, jpeg_bytes())
    processor.handle_event(notification(s3_record(key, sequencer=OLDER)), services)
    upload(services, key, b"this is not an image")

    processor.handle_event(notification(s3_record(key, sequencer=NEWER)), services)

    row = read_row(services, key)
    assert row is not None and row["status"] == "failed"
    assert thumbnail_keys(services) == []


def test_rejection_older_than_the_row_keeps_its_thumbnail(services: processor.Services) -> None:
    key = "a.jpg"
    upload(services, key, jpeg_bytes())
    processor.handle_event(notification(s3_record(key, sequencer=NEWER)), services)

    older_empty = s3_record(key, sequencer=OLDER, size=0)
    processor.handle_event(notification(older_empty), services)

    row = read_row(services, key)
    assert row is not None and row["status"] == "ready"
    assert thumbnail_keys(services) == [row["thumbnail_key"]]


def test_removal_deletes_thumbnails_and_row(services: processor.Services) -> None:
    key = "folder/a.jpg"
    upload(services, key, jpeg_bytes())
    processor.handle_event(notification(s3_record(key, sequencer=OLDER)), services)
    services.s3.delete_object(Bucket=UPLOADS, Key=key)

    removal = s3_record(key, event_name="ObjectRemoved:Delete", sequencer=NEWER)
    response = processor.handle_event(sqs_event(notification(removal)), services)

    assert response == {"batchItemFailures": []}
    assert read_row(services, key) is None
    assert thumbnail_keys(services) == []


def test_removal_older_than_the_row_is_ignored(services: processor.Services) -> None:
    key = "a.jpg"
    upload(services, key, jpeg_bytes())
    processor.handle_event(notification(s3_record(key, sequencer=NEWER)), services)

    removal = s3_record(key, event_name="ObjectRemoved:Delete", sequencer=OLDER)
    processor.handle_event(notification(removal), services)

    row = read_row(services, key)
    assert row is not None and row["status"] == "ready"
    assert len(thumbnail_keys(services)) == 1


def test_removal_deletes_thumbnails_of_sizes_no_longer_configured(
    services: processor.Services,
) -> None:
    key = "a.jpg"
    upload(services, key, jpeg_bytes())
    wide = processor.Services(
        config=config.load_config({**SETTINGS, "PIPELINE_THUMBNAIL_SIZES": "200,800"}),
        s3=services.s3,
        dynamodb=services.dynamodb,
    )
    processor.handle_event(notification(s3_record(key, sequencer=OLDER)), wide)

    removal = s3_record(key, event_name="ObjectRemoved:Delete", sequencer=NEWER)
    processor.handle_event(notification(removal), services)

    assert thumbnail_keys(services) == []


@dataclass
class ThrottlingS3:
    """A moto-backed S3 client whose GetObject is throttled for one key."""

    client: Any
    throttled_key: str

    def get_object(self, **params: Any) -> Any:
        if params["Key"] == self.throttled_key:
            error = {"Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."}}
            raise ClientError(error, "GetObject")
        return self.client.get_object(**params)

    def put_object(self, **params: Any) -> Any:
        return self.client.put_object(**params)

    def delete_object(self, **params: Any) -> Any:
        return self.client.delete_object(**params)


def test_throttled_record_fails_alone_in_its_batch(
    services: processor.Services, log_stream: io.StringIO
) -> None:
    for key in ("a.jpg", "b.jpg", "c.jpg"):
        upload(services, key, jpeg_bytes())
    throttled = processor.Services(
        config=services.config,
        s3=ThrottlingS3(services.s3, "b.jpg"),  # type: ignore[arg-type]
        dynamodb=services.dynamodb,
        now=services.now,
    )
    event = sqs_event(*(notification(s3_record(key)) for key in ("a.jpg", "b.jpg", "c.jpg")))

    response = processor.handle_event(event, throttled)

    assert response == {"batchItemFailures": [{"itemIdentifier": "message-1"}]}
    assert [read_row(services, key) is not None for key in ("a.jpg", "b.jpg", "c.jpg")] == [
        True,
        False,
        True,
    ]
    errors = [line for line in read_log_lines(log_stream) if line["level"] == "ERROR"]
    assert [(line["message"], line["key"], line["outcome"]) for line in errors] == [
        ("image processing failed", "b.jpg", "error")
    ]


def test_batch_whose_every_record_fails_reports_them_all(services: processor.Services) -> None:
    throttled = processor.Services(
        config=services.config,
        s3=ThrottlingS3(services.s3, "b.jpg"),  # type: ignore[arg-type]
        dynamodb=services.dynamodb,
    )
    event = sqs_event(notification(s3_record("b.jpg")), notification(s3_record("b.jpg")))

    response = processor.handle_event(event, throttled)

    assert response == {
        "batchItemFailures": [{"itemIdentifier": "message-0"}, {"itemIdentifier": "message-1"}]
    }


def test_direct_trigger_processes_every_record_then_raises(
    services: processor.Services,
) -> None:
    for key in ("a.jpg", "b.jpg", "c.jpg"):
        upload(services, key, jpeg_bytes())
    throttled = processor.Services(
        config=services.config,
        s3=ThrottlingS3(services.s3, "a.jpg"),  # type: ignore[arg-type]
        dynamodb=services.dynamodb,
    )
    event = notification(*(s3_record(key) for key in ("a.jpg", "b.jpg", "c.jpg")))

    with pytest.raises(processor.RecordsFailedError, match="1 of 3 object events failed"):
        processor.handle_event(event, throttled)

    assert read_row(services, "a.jpg") is None
    assert read_row(services, "c.jpg") is not None


def test_direct_trigger_reports_what_it_processed(services: processor.Services) -> None:
    upload(services, "a.jpg", jpeg_bytes())

    response = processor.handle_event(notification(s3_record("a.jpg")), services)

    assert response == {"processed": 1}


def test_folder_placeholder_is_skipped(
    services: processor.Services, log_stream: io.StringIO
) -> None:
    upload(services, "photos/", b"")

    response = processor.handle_event(
        sqs_event(notification(s3_record("photos/", size=0))), services
    )

    assert response == {"batchItemFailures": []}
    assert count_rows(services) == 0
    (line,) = read_log_lines(log_stream)
    assert (line["message"], line["outcome"], line["reason"]) == (
        "event skipped",
        "skipped",
        "folder placeholder",
    )


def test_s3_test_event_is_skipped(services: processor.Services) -> None:
    body = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": UPLOADS}

    response = processor.handle_event(sqs_event(body), services)

    assert response == {"batchItemFailures": []}
    assert count_rows(services) == 0


def test_event_for_an_already_deleted_object_is_skipped(services: processor.Services) -> None:
    response = processor.handle_event(sqs_event(notification(s3_record("gone.jpg"))), services)

    assert response == {"batchItemFailures": []}
    assert count_rows(services) == 0


@pytest.mark.parametrize("size", [0, 100_001], ids=["empty", "oversized"])
def test_late_copy_of_a_size_rejected_event_brings_no_row_back_for_a_deleted_object(
    services: processor.Services, log_stream: io.StringIO, size: int
) -> None:
    # The object and its failed row were deleted; S3 delivers the upload's event once more.
    record = s3_record("deleted.jpg", size=size)

    response = processor.handle_event(sqs_event(notification(record)), services)

    assert response == {"batchItemFailures": []}
    assert count_rows(services) == 0
    (line,) = read_log_lines(log_stream)
    assert (line["outcome"], line["reason"]) == ("skipped", "object no longer exists")


def test_event_from_the_thumbnails_bucket_is_skipped(services: processor.Services) -> None:
    record = s3_record("x/200.jpg", bucket=THUMBNAILS)

    processor.handle_event(notification(record), services)

    assert count_rows(services) == 0


def test_rejected_image_gets_a_failed_row_and_no_thumbnail(
    services: processor.Services, log_stream: io.StringIO
) -> None:
    key = "notes.jpg"
    upload(services, key, b"this is not an image")

    response = processor.handle_event(sqs_event(notification(s3_record(key))), services)

    row = read_row(services, key)
    assert response == {"batchItemFailures": []}
    assert thumbnail_keys(services) == []
    assert row is not None
    assert (row["status"], row["reason"], row["byte_size"]) == (
        "failed",
        "the file is not an image in any supported format",
        20,
    )
    assert "thumbnail_key" not in row
    (line,) = read_log_lines(log_stream)
    assert (line["level"], line["message"], line["status"]) == (
        "WARNING",
        "image rejected",
        "failed",
    )


def test_oversized_upload_is_rejected_from_the_event_size_without_download(
    services: processor.Services,
) -> None:
    key = "huge.jpg"
    upload(services, key, b"\0" * 100_001)
    record = s3_record(key, size=100_001)

    processor.handle_event(notification(record), services)

    row = read_row(services, key)
    assert row is not None
    assert (row["status"], row["reason"]) == (
        "failed",
        "the file is 100,001 bytes, more than the 100,000 bytes allowed",
    )


def test_unreadable_message_is_reported_as_failed(services: processor.Services) -> None:
    event = sqs_event(notification(s3_record("a.jpg")))
    event["Records"][0]["body"] = "not json"

    response = processor.handle_event(event, services)

    assert response == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}


def test_summary_line_carries_the_unit_of_work(
    services: processor.Services, log_stream: io.StringIO
) -> None:
    key = "a b.jpg"
    data = jpeg_bytes()
    upload(services, key, data)

    processor.handle_event(notification(s3_record(key)), services)

    (line,) = read_log_lines(log_stream)
    assert line["message"] == "image processed"
    assert (line["key"], line["image_id"]) == (key, records.make_image_id(UPLOADS, key))
    assert (line["outcome"], line["status"], line["input_bytes"]) == ("ready", "ready", len(data))
    assert line["output_bytes"] > 0
    assert isinstance(line["duration_ms"], int)


@dataclass
class FakeContext:
    function_name: str = "image-processor"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:000000000000:function:image-processor"
    aws_request_id: str = "request-1"


def test_handler_builds_its_services_from_the_environment(
    services: processor.Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SETTINGS.items():
        monkeypatch.setenv(name, value)
    upload(services, "a.jpg", jpeg_bytes())
    processor.load_services.cache_clear()

    try:
        response = processor.handler(sqs_event(notification(s3_record("a.jpg"))), FakeContext())
    finally:
        processor.load_services.cache_clear()

    assert response == {"batchItemFailures": []}
    assert read_row(services, "a.jpg") is not None
