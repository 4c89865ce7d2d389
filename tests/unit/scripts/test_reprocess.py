"""Unit tests of scripts/reprocess.py: moto storage, and a Lambda stand-in that runs the real
processor (lambdas.processor.handle_event) on the same moto clients.
"""

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeDeserializer
from moto import mock_aws
from PIL import Image
from rich.console import Console

from lambdas import config, events, processor, records
from scripts import reprocess

REGION = "us-east-1"
UPLOADS = "sample-image-uploads-bucket"
THUMBNAILS = "sample-thumbnails-bucket"
TABLE = "image_metadata"
FUNCTION = "image-processor"
REAL_SEQUENCER = "0000000000000000000661D148FEECF1"


class FakeLambda:
    """Runs the processor in-process, as the deployed function with `sizes` would."""

    def __init__(self, s3: Any, dynamodb: Any) -> None:
        self.s3, self.dynamodb = s3, dynamodb
        self.sizes = "200"
        self.shards = "4"
        self.failing_keys: set[str] = set()
        self.invoked_keys: list[str] = []

    def get_function_configuration(self, FunctionName: str) -> dict[str, Any]:
        variables = {"PIPELINE_THUMBNAIL_SIZES": self.sizes, "PIPELINE_LIST_SHARDS": self.shards}
        return {"Environment": {"Variables": variables}}

    def invoke(self, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:
        event = json.loads(Payload)
        key = events.parse_notification(event).events[0].key
        self.invoked_keys.append(key)
        if key in self.failing_keys:
            error = {"errorMessage": "AccessDenied", "errorType": "ClientError"}
            return {"FunctionError": "Unhandled", "Payload": io.BytesIO(json.dumps(error).encode())}
        settings = config.load_config(
            {
                "PIPELINE_TABLE_NAME": TABLE,
                "PIPELINE_UPLOADS_BUCKET": UPLOADS,
                "PIPELINE_THUMBNAILS_BUCKET": THUMBNAILS,
                "PIPELINE_THUMBNAIL_SIZES": self.sizes,
                "PIPELINE_LIST_SHARDS": self.shards,
            }
        )
        services = processor.Services(settings, self.s3, self.dynamodb)
        answer = processor.handle_event(event, services)
        return {"Payload": io.BytesIO(json.dumps(answer).encode())}


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
        s3 = boto3.client("s3", region_name=REGION)
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        s3.create_bucket(Bucket=UPLOADS)
        s3.create_bucket(Bucket=THUMBNAILS)
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "image_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "image_id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield {"s3": s3, "dynamodb": dynamodb, "lambda": FakeLambda(s3, dynamodb)}


OUTPUTS = {
    "region": REGION,
    "endpoint_url": None,
    "uploads_bucket": UPLOADS,
    "thumbnails_bucket": THUMBNAILS,
    "table_name": TABLE,
    "processor_function": FUNCTION,
}


def put_image(aws: dict[str, Any], key: str, size: tuple[int, int] = (300, 200)) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "JPEG")
    aws["s3"].put_object(Bucket=UPLOADS, Key=key, Body=buffer.getvalue())


def process_as_s3_would(aws: dict[str, Any], key: str, sequencer: str = REAL_SEQUENCER) -> None:
    """Deliver the object's real creation event, with S3's sequencer and event time."""
    original = next(reprocess.list_originals(aws["s3"], UPLOADS, key))
    event = reprocess.make_event(UPLOADS, REGION, original, None)
    event["Records"][0]["s3"]["object"]["sequencer"] = sequencer
    aws["lambda"].invoke(FunctionName=FUNCTION, InvocationType="Event", Payload=json.dumps(event))


def read_row(aws: dict[str, Any], key: str) -> dict[str, Any]:
    item = aws["dynamodb"].get_item(
        TableName=TABLE, Key={"image_id": {"S": records.make_image_id(UPLOADS, key)}}
    )["Item"]
    deserializer = TypeDeserializer()
    return {name: deserializer.deserialize(value) for name, value in item.items()}


def run(aws: dict[str, Any], tmp_path: Path, **options: Any) -> reprocess.Summary:
    console = Console(quiet=True)
    return reprocess.reprocess(
        OUTPUTS, reprocess.Options(**options), console, clients=aws, checkpoint_dir=tmp_path
    )


def test_original_whose_event_was_lost_gets_its_row_with_the_lowest_sequencer(
    aws: dict[str, Any], tmp_path: Path
) -> None:
    put_image(aws, "lost/photo 1.jpg")

    summary = run(aws, tmp_path)

    assert (summary.chosen, summary.reprocessed, summary.errors) == ({"no row": 1}, 1, [])
    row = read_row(aws, "lost/photo 1.jpg")
    assert (row["status"], row["sequencer"]) == ("ready", "0" * records.SEQUENCER_WIDTH)


def test_real_event_arriving_after_reprocess_still_wins(
    aws: dict[str, Any], tmp_path: Path
) -> None:
    put_image(aws, "late/photo.jpg")
    run(aws, tmp_path)

    process_as_s3_would(aws, "late/photo.jpg")

    assert read_row(aws, "late/photo.jpg")["sequencer"] == REAL_SEQUENCER


def test_new_sizes_rebuild_rows_and_thumbnails_keeping_the_sequencer(
    aws: dict[str, Any], tmp_path: Path
) -> None:
    put_image(aws, "photos/a.jpg")
    process_as_s3_would(aws, "photos/a.jpg")
    aws["lambda"].sizes = "200,64"

    summary = run(aws, tmp_path)

    assert summary.chosen == {"sizes changed": 1}
    row = read_row(aws, "photos/a.jpg")
    assert [rendition["max_edge"] for rendition in row["renditions"]] == [200, 64]
    assert row["sequencer"] == REAL_SEQUENCER
    image_id = records.make_image_id(UPLOADS, "photos/a.jpg")
    small = aws["s3"].get_object(Bucket=THUMBNAILS, Key=records.make_thumbnail_key(image_id, 64))
    assert Image.open(small["Body"]).size == (64, 43)


def test_a_second_run_finds_nothing_to_do(aws: dict[str, Any], tmp_path: Path) -> None:
    put_image(aws, "photos/a.jpg")
    put_image(aws, "photos/b.jpg")
    process_as_s3_would(aws, "photos/a.jpg")
    aws["lambda"].sizes = "200,64"
    run(aws, tmp_path)
    aws["lambda"].invoked_keys.clear()

    summary = run(aws, tmp_path)

    assert (summary.up_to_date, summary.reprocessed, aws["lambda"].invoked_keys) == (2, 0, [])


def test_rows_outside_their_listing_shard_move_to_it(aws: dict[str, Any], tmp_path: Path) -> None:
    keys = [f"photos/{number}.jpg" for number in range(8)]
    for key in keys:
        put_image(aws, key)
        process_as_s3_would(aws, key)
    aws["lambda"].shards = "2"
    expected = {
        key: records.make_listing_keys(
            read_row(aws, key)["image_id"], read_row(aws, key)["uploaded_at"], 2
        )[0]
        for key in keys
    }
    moving = sum(1 for key in keys if read_row(aws, key)["list_shard"] != expected[key])

    summary = run(aws, tmp_path)

    assert summary.chosen == {"listing shard changed": moving}
    assert {key: read_row(aws, key)["list_shard"] for key in keys} == expected


def test_missing_thumbnail_is_rebuilt(aws: dict[str, Any], tmp_path: Path) -> None:
    put_image(aws, "photos/a.jpg")
    process_as_s3_would(aws, "photos/a.jpg")
    image_id = records.make_image_id(UPLOADS, "photos/a.jpg")
    aws["s3"].delete_object(Bucket=THUMBNAILS, Key=records.make_thumbnail_key(image_id, 200))

    summary = run(aws, tmp_path)

    assert summary.chosen == {"thumbnail missing": 1}
    aws["s3"].head_object(Bucket=THUMBNAILS, Key=records.make_thumbnail_key(image_id, 200))


def test_failed_rows_are_retried_only_when_asked(aws: dict[str, Any], tmp_path: Path) -> None:
    aws["s3"].put_object(Bucket=UPLOADS, Key="notes.jpg", Body=b"not a picture")
    process_as_s3_would(aws, "notes.jpg")

    without = run(aws, tmp_path)
    with_failed = run(aws, tmp_path, include_failed=True)

    assert (without.chosen, without.up_to_date) == ({}, 1)
    assert (with_failed.chosen, with_failed.reprocessed) == ({"failed before": 1}, 1)
    assert read_row(aws, "notes.jpg")["status"] == "failed"


def test_pending_row_of_a_stored_upload_is_processed(aws: dict[str, Any], tmp_path: Path) -> None:
    put_image(aws, "uploads/token/a.jpg")
    image_id = records.make_image_id(UPLOADS, "uploads/token/a.jpg")
    pending = {
        "image_id": {"S": image_id},
        "status": {"S": "pending"},
        "original_key": {"S": "uploads/token/a.jpg"},
        "uploaded_at": {"S": "2024-05-01T10:00:00.000Z"},
    }
    aws["dynamodb"].put_item(TableName=TABLE, Item=pending)

    summary = run(aws, tmp_path)

    assert summary.chosen == {"pending": 1}
    row = read_row(aws, "uploads/token/a.jpg")
    assert (row["status"], row["uploaded_at"]) == ("ready", "2024-05-01T10:00:00.000Z")


def test_interrupted_run_resumes_after_what_it_finished(
    aws: dict[str, Any], tmp_path: Path
) -> None:
    for key in ("a.jpg", "b.jpg", "c.jpg"):
        put_image(aws, key)
    aws["lambda"].failing_keys = {"c.jpg"}
    first = run(aws, tmp_path, force=True)
    aws["lambda"].failing_keys = set()
    aws["lambda"].invoked_keys.clear()

    second = run(aws, tmp_path, force=True)

    assert (first.reprocessed, len(first.errors)) == (2, 1)
    assert (second.done_earlier, second.reprocessed, aws["lambda"].invoked_keys) == (
        2,
        1,
        ["c.jpg"],
    )
    assert list(tmp_path.iterdir()) == []


def test_dry_run_counts_without_invoking(aws: dict[str, Any], tmp_path: Path) -> None:
    put_image(aws, "lost.jpg")

    summary = run(aws, tmp_path, dry_run=True)

    assert (summary.chosen, summary.reprocessed, aws["lambda"].invoked_keys) == (
        {"no row": 1},
        0,
        [],
    )


def test_folder_placeholders_are_not_originals(aws: dict[str, Any]) -> None:
    aws["s3"].put_object(Bucket=UPLOADS, Key="folder/", Body=b"")
    put_image(aws, "folder/a.jpg")

    keys = [original.key for original in reprocess.list_originals(aws["s3"], UPLOADS)]

    assert keys == ["folder/a.jpg"]


def test_reopen_leaves_a_row_that_changed_meanwhile(aws: dict[str, Any]) -> None:
    put_image(aws, "photos/a.jpg")
    process_as_s3_would(aws, "photos/a.jpg")
    row_as_read = {**read_row(aws, "photos/a.jpg"), "sequencer": "0" * 31 + "1"}

    assert reprocess.reopen_row(aws["dynamodb"], TABLE, row_as_read) is False
    assert read_row(aws, "photos/a.jpg")["sequencer"] == REAL_SEQUENCER


@pytest.mark.parametrize(
    "key",
    ["a b+c%2B.jpg", "ünïcödé/フォト.jpg", "../escape.jpg", "ctl\x01\x1f\x7f.jpg", "q?x=1&y#z.jpg"],
    ids=["space-plus-percent", "unicode", "dot-dot", "control", "query-like"],
)
def test_event_carries_the_key_exactly_as_the_processor_decodes_it(key: str) -> None:
    original = reprocess.Original(key, 10, datetime(2024, 5, 1, tzinfo=UTC))

    event = reprocess.make_event(UPLOADS, REGION, original, None)

    assert events.parse_notification(event).events[0].key == key
