"""Unit tests of lambdas/storage.py: size-limited S3 reads, conditional row writes and deletes."""

import io
from collections.abc import Iterator
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.response import StreamingBody
from moto import mock_aws

from lambdas import records, renditions, storage

REGION = "us-east-1"
BUCKET = "originals"
TABLE = "image_metadata"
IMAGE_ID = "0" * 32


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "image_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "image_id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield s3, dynamodb


def make_row(sequencer: str, **extra: Any) -> records.ImageRow:
    row: records.ImageRow = {
        "image_id": IMAGE_ID,
        "bucket": BUCKET,
        "original_key": "a.jpg",
        "name": "a.jpg",
        "status": "ready",
        "uploaded_at": "2024-05-01T10:20:30.123Z",
        "list_shard": "0",
        "list_sort": f"2024-05-01T10:20:30.123Z#{IMAGE_ID}",
        "sequencer": records.pad_sequencer(sequencer),
    }
    row.update(extra)  # type: ignore[typeddict-item]
    return row


def stored_sequencer(dynamodb: Any) -> str | None:
    item = dynamodb.get_item(TableName=TABLE, Key={"image_id": {"S": IMAGE_ID}}).get("Item")
    return None if item is None else item["sequencer"]["S"]


def test_read_object_returns_the_bytes(aws: tuple[Any, Any]) -> None:
    s3, _ = aws
    s3.put_object(Bucket=BUCKET, Key="a b.jpg", Body=b"12345")

    assert storage.read_object(s3, BUCKET, "a b.jpg", max_bytes=5) == b"12345"


def test_read_object_of_a_deleted_key_raises_object_missing(aws: tuple[Any, Any]) -> None:
    s3, _ = aws

    with pytest.raises(storage.ObjectMissingError):
        storage.read_object(s3, BUCKET, "gone.jpg", max_bytes=5)


def test_read_object_refuses_an_oversized_body_without_reading_it() -> None:
    body = mock.create_autospec(StreamingBody, instance=True)
    s3 = mock.Mock(spec=["get_object"])
    s3.get_object.return_value = {"ContentLength": 6, "Body": body}

    with pytest.raises(renditions.TooManyBytesError):
        storage.read_object(s3, BUCKET, "big.jpg", max_bytes=5)

    body.read.assert_not_called()
    body.close.assert_called_once_with()


def test_read_object_passes_other_errors_on() -> None:
    s3 = mock.Mock(spec=["get_object"])
    throttled = {"Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."}}
    s3.get_object.side_effect = ClientError(throttled, "GetObject")

    with pytest.raises(ClientError):
        storage.read_object(s3, BUCKET, "a.jpg", max_bytes=5)


def test_ensure_object_exists_accepts_an_existing_key(aws: tuple[Any, Any]) -> None:
    s3, _ = aws
    s3.put_object(Bucket=BUCKET, Key="empty.jpg", Body=b"")

    storage.ensure_object_exists(s3, BUCKET, "empty.jpg")


def test_ensure_object_exists_raises_object_missing_for_a_deleted_key(
    aws: tuple[Any, Any],
) -> None:
    s3, _ = aws

    with pytest.raises(storage.ObjectMissingError):
        storage.ensure_object_exists(s3, BUCKET, "gone.jpg")


def test_ensure_object_exists_passes_other_errors_on() -> None:
    s3 = mock.Mock(spec=["head_object"])
    denied = {"Error": {"Code": "403", "Message": "Forbidden"}}
    s3.head_object.side_effect = ClientError(denied, "HeadObject")

    with pytest.raises(ClientError):
        storage.ensure_object_exists(s3, BUCKET, "a.jpg")


def test_write_thumbnail_sets_content_type_and_cache_control(aws: tuple[Any, Any]) -> None:
    s3, _ = aws

    storage.write_thumbnail(s3, BUCKET, "id/200.jpg", b"jpeg")

    head = s3.head_object(Bucket=BUCKET, Key="id/200.jpg")
    assert (head["ContentType"], head["CacheControl"]) == ("image/jpeg", "public, max-age=86400")


def test_put_row_writes_a_new_row(aws: tuple[Any, Any]) -> None:
    _, dynamodb = aws

    outcome = storage.put_row(dynamodb, TABLE, make_row("10"))

    assert outcome == "written"
    assert stored_sequencer(dynamodb) == records.pad_sequencer("10")


def test_put_row_replaces_an_older_row(aws: tuple[Any, Any]) -> None:
    _, dynamodb = aws
    storage.put_row(dynamodb, TABLE, make_row("0F"))

    outcome = storage.put_row(dynamodb, TABLE, make_row("10"))

    assert outcome == "written"
    assert stored_sequencer(dynamodb) == records.pad_sequencer("10")


@pytest.mark.parametrize(
    ("second", "expected"), [("10", "duplicate"), ("0F", "stale")], ids=["same", "older"]
)
def test_put_row_keeps_the_row_of_a_newer_or_same_event(
    aws: tuple[Any, Any], second: str, expected: str
) -> None:
    _, dynamodb = aws
    storage.put_row(dynamodb, TABLE, make_row("10", status="ready"))

    outcome = storage.put_row(dynamodb, TABLE, make_row(second, status="failed"))

    assert outcome == expected
    assert stored_sequencer(dynamodb) == records.pad_sequencer("10")


def test_put_row_removes_attributes_the_new_row_lacks(aws: tuple[Any, Any]) -> None:
    _, dynamodb = aws
    pending = {"image_id": {"S": IMAGE_ID}, "expires_at": {"N": "1714600000"}}
    dynamodb.put_item(TableName=TABLE, Item=pending)

    storage.put_row(dynamodb, TABLE, make_row("10"))

    item = dynamodb.get_item(TableName=TABLE, Key={"image_id": {"S": IMAGE_ID}})["Item"]
    assert "expires_at" not in item


def test_delete_row_returns_the_thumbnails_the_row_had(aws: tuple[Any, Any]) -> None:
    _, dynamodb = aws
    renditions_list: list[records.Rendition] = [
        {"key": f"{IMAGE_ID}/200.jpg", "max_edge": 200, "width": 1, "height": 1, "byte_size": 1},
        {"key": f"{IMAGE_ID}/800.jpg", "max_edge": 800, "width": 1, "height": 1, "byte_size": 1},
    ]
    row = make_row("10", thumbnail_key=f"{IMAGE_ID}/200.jpg", renditions=renditions_list)
    storage.put_row(dynamodb, TABLE, row)

    deletion = storage.delete_row(dynamodb, TABLE, IMAGE_ID, records.pad_sequencer("11"))

    assert deletion == storage.RowDeletion(
        outcome="written", thumbnail_keys=(f"{IMAGE_ID}/200.jpg", f"{IMAGE_ID}/800.jpg")
    )
    assert stored_sequencer(dynamodb) is None


def test_delete_row_of_a_missing_row_succeeds(aws: tuple[Any, Any]) -> None:
    _, dynamodb = aws

    deletion = storage.delete_row(dynamodb, TABLE, IMAGE_ID, records.pad_sequencer("11"))

    assert deletion == storage.RowDeletion(outcome="written", thumbnail_keys=())


def test_delete_row_keeps_a_row_written_by_a_newer_event(aws: tuple[Any, Any]) -> None:
    _, dynamodb = aws
    storage.put_row(dynamodb, TABLE, make_row("12"))

    deletion = storage.delete_row(dynamodb, TABLE, IMAGE_ID, records.pad_sequencer("11"))

    assert deletion.outcome == "stale"
    assert stored_sequencer(dynamodb) == records.pad_sequencer("12")


def test_delete_thumbnails_ignores_keys_that_do_not_exist(aws: tuple[Any, Any]) -> None:
    s3, _ = aws
    s3.put_object(Bucket=BUCKET, Key="id/200.jpg", Body=io.BytesIO(b"x"))

    storage.delete_thumbnails(s3, BUCKET, ["id/200.jpg", "id/800.jpg"])

    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
