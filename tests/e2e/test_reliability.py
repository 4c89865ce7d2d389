"""Reliability end to end: denied reads, poison and unreadable messages, an emulator restart,
lost events, changed sizes, hostile keys, refused uploads and the listing at its extremes.

These tests break things on purpose (permissions, the emulator process), so
they always run on MiniStacks of their own (AUTH=true, free loopback ports),
whatever --target or --endpoint says. The faults pipeline is provisioned
with a 5 s processor timeout (so the queue's visibility timeout is 30 s),
two receives before dead-lettering and a 200,000-byte upload limit, so that
retries happen within a test.
"""

import io
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from boto3.dynamodb.types import TypeDeserializer
from PIL import Image
from rich.console import Console

from bootstrap.stack import role_name
from lambdas.records import SEQUENCER_WIDTH, make_image_id, make_thumbnail_key
from scripts import emulator, redrive, reprocess
from scripts.reliability import audit, faults, listing
from tests.support.sandbox import (
    Pipeline,
    embedded_emulator,
    provision_pipeline,
    settings_for,
    wait_for,
)

pytestmark = pytest.mark.e2e

MAX_UPLOAD_BYTES = 200_000
FAULT_SETTINGS = {
    "PIPELINE_PROCESSOR_TIMEOUT_S": "5",
    "PIPELINE_MAX_RECEIVE_COUNT": "2",
    "PIPELINE_MAX_UPLOAD_BYTES": str(MAX_UPLOAD_BYTES),
}
# Two receives 30 s apart, then the dead-letter sweep: well within this bound.
DEAD_LETTER_WAIT_S = 180.0
RETRY_WAIT_S = 150.0
THUMBNAIL_KEY = re.compile(r"[0-9a-f]{32}/200\.jpg")


@contextmanager
def own_pipeline(work_dir: Path, overrides: dict[str, str]) -> Iterator[Pipeline]:
    """Start a MiniStack of our own and provision it with `overrides`."""
    with embedded_emulator(work_dir) as (endpoint_url, paths):
        runtime = emulator.python_runtime(paths)
        built = provision_pipeline(
            settings_for("local", endpoint_url, work_dir, overrides, runtime)
        )
        built.emulator_paths = paths
        yield built


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    with own_pipeline(tmp_path_factory.mktemp("faults"), FAULT_SETTINGS) as built:
        yield built


@pytest.fixture(scope="module")
def listing_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    with own_pipeline(tmp_path_factory.mktemp("listing"), {}) as built:
        yield built


@pytest.fixture
def prefix() -> str:
    """A folder of this test's own, so tests never see each other's objects."""
    return f"t-{uuid.uuid4().hex[:8]}/"


def jpeg_bytes(width: int = 120, height: int = 80) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, "JPEG")
    return buffer.getvalue()


def put_image(pipeline: Pipeline, key: str) -> None:
    pipeline.client("s3").put_object(
        Bucket=pipeline.outputs["uploads_bucket"], Key=key, Body=jpeg_bytes()
    )


def read_row(pipeline: Pipeline, key: str) -> dict[str, Any] | None:
    image_id = make_image_id(pipeline.outputs["uploads_bucket"], key)
    item = (
        pipeline.client("dynamodb")
        .get_item(
            TableName=pipeline.outputs["table_name"],
            Key={"image_id": {"S": image_id}},
            ConsistentRead=True,
        )
        .get("Item")
    )
    if item is None:
        return None
    deserializer = TypeDeserializer()
    return {name: deserializer.deserialize(value) for name, value in item.items()}


def final_row(pipeline: Pipeline, key: str) -> dict[str, Any] | None:
    row = read_row(pipeline, key)
    return row if row and row["status"] in ("ready", "failed") else None


def wait_for_final_rows(
    pipeline: Pipeline, keys: list[str], timeout_s: float = 60.0
) -> dict[str, dict[str, Any]]:
    def all_final() -> dict[str, dict[str, Any]] | None:
        rows = {key: final_row(pipeline, key) for key in keys}
        finished = {key: row for key, row in rows.items() if row is not None}
        return finished if len(finished) == len(keys) else None

    return wait_for(all_final, timeout_s=timeout_s, what=f"final rows of {len(keys)} objects")


def wait_for_drained_queue(pipeline: Pipeline) -> None:
    def drained() -> bool | None:
        depth = audit.queue_depth(pipeline.client("sqs"), pipeline.outputs["queue_url"])
        return True if sum(depth) == 0 else None

    wait_for(drained, timeout_s=RETRY_WAIT_S, interval_s=2, what="the queue to drain")


@contextmanager
def denied_reads(pipeline: Pipeline, key_prefix: str) -> Iterator[faults.AccessOutage]:
    """Deny the processor's reads under `key_prefix`; always allowed again afterwards."""
    outputs = pipeline.outputs
    outage = faults.AccessOutage(
        pipeline.client("iam"),
        role_name(outputs["processor_function"]),
        outputs["uploads_bucket"],
        key_prefix,
        f"outage-{uuid.uuid4().hex[:8]}",
    )
    outage.begin()
    try:
        yield outage
    finally:
        outage.end()


def peek_dead_letter_bodies(pipeline: Pipeline) -> list[str]:
    """Read the dead-letter queue without hiding anything (visibility timeout 0)."""
    answer = pipeline.client("sqs").receive_message(
        QueueUrl=pipeline.outputs["dlq_url"], MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    return [message["Body"] for message in answer.get("Messages", [])]


def wait_for_dead_letter(pipeline: Pipeline, marker: str) -> None:
    def arrived() -> bool | None:
        return True if any(marker in body for body in peek_dead_letter_bodies(pipeline)) else None

    wait_for(arrived, timeout_s=DEAD_LETTER_WAIT_S, interval_s=2, what=f"dead letter {marker}")


def letters_about(report: redrive.RedriveReport, key: str) -> list[tuple[str, str]]:
    return [(action, reason) for letter, action, reason in report.actions if key in letter.keys]


def test_denied_reads_fail_first_while_neighbours_succeed_then_succeed_on_retry(
    faulty: Pipeline, prefix: str
) -> None:
    denied = [f"{prefix}denied/{number}.jpg" for number in range(2)]
    neighbours = [f"{prefix}ok/{number}.jpg" for number in range(3)]
    logs, log_group = faulty.client("logs"), f"/aws/lambda/{faulty.outputs['processor_function']}"

    with denied_reads(faulty, f"{prefix}denied/"):
        for key in denied + neighbours:
            put_image(faulty, key)
        neighbour_rows = wait_for_final_rows(faulty, neighbours)

        def denied_failed() -> bool | None:
            failures = faults.count_logged_failures(logs, log_group, 0)
            return True if all(failures[key] for key in denied) else None

        wait_for(denied_failed, timeout_s=60, interval_s=1, what="failed first attempts")
        rows_during_outage = [read_row(faulty, key) for key in denied]
    retried_rows = wait_for_final_rows(faulty, denied, timeout_s=RETRY_WAIT_S)

    assert [row["status"] for row in neighbour_rows.values()] == ["ready"] * 3
    assert rows_during_outage == [None, None]
    assert [row["status"] for row in retried_rows.values()] == ["ready"] * 2


def test_poison_message_reaches_the_dlq_with_its_reason_and_redrive_reprocesses_it(
    faulty: Pipeline, prefix: str
) -> None:
    key = f"{prefix}poison.jpg"

    with denied_reads(faulty, prefix):
        put_image(faulty, key)
        wait_for_dead_letter(faulty, prefix.strip("/"))
        listed = redrive.redrive(faulty.outputs, dry_run=True, prefix=prefix)
    moved = redrive.redrive(faulty.outputs, prefix=prefix)
    row = wait_for(lambda: final_row(faulty, key), timeout_s=60, what="redriven row")

    [(action, reason)] = letters_about(listed, key)
    assert action == "kept"
    assert reason.startswith("image processing failed: GetObject AccessDenied: ")
    assert letters_about(moved, key) == [("moved", reason)]
    assert row["status"] == "ready"
    assert prefix not in "".join(peek_dead_letter_bodies(faulty))


def test_unreadable_message_reaches_the_dlq_with_its_reason_and_can_be_dropped(
    faulty: Pipeline, prefix: str
) -> None:
    body = f"not an S3 event {prefix}"
    faulty.client("sqs").send_message(QueueUrl=faulty.outputs["queue_url"], MessageBody=body)

    wait_for_dead_letter(faulty, body)
    report = redrive.redrive(faulty.outputs, drop_unreadable=True, prefix=prefix)

    ours = [(action, reason) for letter, action, reason in report.actions if letter.body == body]
    assert ours == [
        ("dropped", "unreadable queue message: EventParseError: the message body is not JSON")
    ]
    assert body not in peek_dead_letter_bodies(faulty)


def test_restart_mid_burst_keeps_every_row_and_processes_what_was_in_flight(
    faulty: Pipeline, prefix: str, tmp_path: Path
) -> None:
    before = [f"{prefix}before/{number}.jpg" for number in range(3)]
    burst = [f"{prefix}burst/{number}.jpg" for number in range(12)]
    for key in before:
        put_image(faulty, key)
    rows_before = wait_for_final_rows(faulty, before)
    paths = faulty.emulator_paths
    assert paths is not None
    port = int(faulty.outputs["endpoint_url"].rsplit(":", 1)[1])

    for key in burst:
        put_image(faulty, key)
    faults.restart_emulator(paths, port, enforce_auth=True)
    # Events lost in the stop (stored object, message never queued) are what
    # reprocess recovers; it runs once the queue has nothing left in flight.
    wait_for_drained_queue(faulty)
    reprocess.reprocess(
        faulty.outputs,
        reprocess.Options(prefix=prefix),
        Console(quiet=True),
        checkpoint_dir=tmp_path,
    )
    rows_after = wait_for_final_rows(faulty, before + burst)

    assert {key: rows_after[key] for key in before} == rows_before
    assert [rows_after[key]["status"] for key in burst] == ["ready"] * 12


def test_reprocess_processes_originals_whose_events_were_lost(
    faulty: Pipeline, prefix: str, tmp_path: Path
) -> None:
    s3, bucket = faulty.client("s3"), faulty.outputs["uploads_bucket"]
    keys = [f"{prefix}lost/{number}.jpg" for number in range(2)]
    notifications = s3.get_bucket_notification_configuration(Bucket=bucket)
    notifications.pop("ResponseMetadata", None)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    try:
        for key in keys:
            put_image(faulty, key)
    finally:
        s3.put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration=notifications
        )
    rows_before = [read_row(faulty, key) for key in keys]

    arguments = ["--outputs", str(faulty.settings.outputs_file), "--prefix", prefix]
    code = reprocess.main([*arguments, "--checkpoint-dir", str(tmp_path)], Console(quiet=True))

    assert (code, rows_before) == (0, [None, None])
    for key in keys:
        row = final_row(faulty, key)
        assert row is not None
        assert (row["status"], row["sequencer"]) == ("ready", "0" * SEQUENCER_WIDTH)


def test_reprocess_rebuilds_renditions_after_the_sizes_change(
    faulty: Pipeline, prefix: str, tmp_path: Path
) -> None:
    key = f"{prefix}sizes.jpg"
    put_image(faulty, key)
    sequencer = wait_for(lambda: final_row(faulty, key), what="first row")["sequencer"]
    endpoint_url = faulty.outputs["endpoint_url"]
    work_dir = faulty.settings.outputs_file.parent
    runtime = faulty.settings.lambda_runtime
    two_sizes = {**FAULT_SETTINGS, "PIPELINE_THUMBNAIL_SIZES": "200,64"}
    options = reprocess.Options(prefix=prefix)

    provision_pipeline(settings_for("local", endpoint_url, work_dir, two_sizes, runtime))
    try:
        first = reprocess.reprocess(
            faulty.outputs, options, Console(quiet=True), checkpoint_dir=tmp_path
        )
        second = reprocess.reprocess(
            faulty.outputs, options, Console(quiet=True), checkpoint_dir=tmp_path
        )
    finally:
        provision_pipeline(settings_for("local", endpoint_url, work_dir, FAULT_SETTINGS, runtime))

    row = final_row(faulty, key)
    assert row is not None
    assert (first.chosen, first.reprocessed, second.chosen, second.up_to_date) == (
        {"sizes changed": 1},
        1,
        {},
        1,
    )
    assert [rendition["max_edge"] for rendition in row["renditions"]] == [200, 64]
    assert row["sequencer"] == sequencer
    small = faulty.client("s3").get_object(
        Bucket=faulty.outputs["thumbnails_bucket"], Key=make_thumbnail_key(row["image_id"], 64)
    )
    assert Image.open(io.BytesIO(small["Body"].read())).size == (64, 43)


HOSTILE_KEYS = {
    "dot-dot": "../escape.jpg",
    "control-characters": "ctl\x01\x1f\x7f\t\r.jpg",
    "thousand-byte-name": "n" * 996 + ".jpg",
    "script-tag": "<script>alert(1)<\\script>.jpg",
    "html-attribute": '"><img src=x onerror=alert(1)>.jpg',
}


@pytest.mark.parametrize("hostile", HOSTILE_KEYS.values(), ids=HOSTILE_KEYS.keys())
def test_hostile_key_gets_a_safe_thumbnail_key_and_its_name_stored_as_is(
    faulty: Pipeline, prefix: str, hostile: str
) -> None:
    key = f"{prefix}{hostile}"
    name = key.rsplit("/", 1)[-1]
    put_image(faulty, key)

    row = wait_for(lambda: final_row(faulty, key), what="row of a hostile key")
    status, item = faulty.get_json(f"/images/{row['image_id']}")

    assert (row["status"], row["original_key"], row["name"]) == ("ready", key, name)
    assert THUMBNAIL_KEY.fullmatch(row["thumbnail_key"])
    assert row["thumbnail_key"] == make_thumbnail_key(row["image_id"], 200)
    faulty.client("s3").head_object(
        Bucket=faulty.outputs["thumbnails_bucket"], Key=row["thumbnail_key"]
    )
    assert (status, item["name"], item["original_key"]) == (200, name, key)


def ask_upload_ticket(pipeline: Pipeline, content_type: str = "image/jpeg") -> dict[str, Any]:
    answer = requests.post(
        f"{pipeline.api_url}/uploads",
        json={"filename": "photo.jpg", "content_type": content_type},
        timeout=30,
    )
    assert answer.status_code == 201
    ticket: dict[str, Any] = answer.json()
    return ticket


def post_form(ticket: dict[str, Any], data: bytes, content_type: str) -> requests.Response:
    form = ticket["upload"]
    fields = {**form["fields"], "Content-Type": content_type}
    return requests.post(
        form["url"], data=fields, files={"file": ("photo.jpg", data, content_type)}, timeout=30
    )


def is_stored(pipeline: Pipeline, key: str) -> bool:
    keys = audit.list_keys(pipeline.client("s3"), pipeline.outputs["uploads_bucket"])
    return key in keys


def test_presigned_post_over_the_size_limit_is_refused_by_storage(faulty: Pipeline) -> None:
    ticket = ask_upload_ticket(faulty)

    answer = post_form(ticket, jpeg_bytes() + bytes(MAX_UPLOAD_BYTES), "image/jpeg")

    assert answer.status_code == 400
    assert "<Code>EntityTooLarge</Code>" in answer.text
    assert not is_stored(faulty, ticket["key"])


def test_presigned_post_of_another_content_type_is_refused_by_storage(faulty: Pipeline) -> None:
    ticket = ask_upload_ticket(faulty)

    answer = post_form(ticket, b"<html><script>alert(1)</script></html>", "text/html")

    assert answer.status_code == 403
    assert "<Code>AccessDenied</Code>" in answer.text
    assert not is_stored(faulty, ticket["key"])


@pytest.mark.parametrize(
    ("announced", "status"),
    [({"content_type": "text/html"}, 415), ({"size": MAX_UPLOAD_BYTES + 1}, 413)],
    ids=["non-image-type", "announced-oversize"],
)
def test_post_uploads_refuses_what_storage_would_refuse(
    faulty: Pipeline, announced: dict[str, Any], status: int
) -> None:
    body = {"filename": "photo.jpg", "content_type": "image/jpeg", **announced}

    answer = requests.post(f"{faulty.api_url}/uploads", json=body, timeout=30)

    assert answer.status_code == status


def test_oversized_object_put_directly_fails_with_too_many_bytes(
    faulty: Pipeline, prefix: str, tmp_path: Path
) -> None:
    key = f"{prefix}huge.jpg"
    path = tmp_path / "huge.jpg"
    path.write_bytes(jpeg_bytes() + bytes(MAX_UPLOAD_BYTES))
    size = path.stat().st_size

    faulty.client("s3").upload_file(str(path), faulty.outputs["uploads_bucket"], key)
    row = wait_for(lambda: final_row(faulty, key), what="row of an oversized object")

    assert (row["status"], row["byte_size"]) == ("failed", size)
    assert row["reason"] == f"the file is {size:,} bytes, more than the 200,000 bytes allowed"
    assert "thumbnail_key" not in row


def test_empty_table_lists_no_items(listing_pipeline: Pipeline) -> None:
    status, body = listing_pipeline.get_json("/images")

    assert (status, body) == (200, {"items": [], "next_cursor": None})


@pytest.fixture
def ten_thousand_rows(listing_pipeline: Pipeline) -> Iterator[None]:
    dynamodb, table = listing_pipeline.client("dynamodb"), listing_pipeline.outputs["table_name"]
    rows = listing.make_synthetic_rows(10_000, listing_pipeline.settings.list_shards)
    listing.write_items(dynamodb, table, rows)
    yield
    listing.delete_items(dynamodb, table, rows)


@pytest.mark.usefixtures("ten_thousand_rows")
def test_ten_thousand_rows_page_right_at_the_start_a_deep_page_and_the_end(
    listing_pipeline: Pipeline,
) -> None:
    pages = listing.check_listing(
        listing_pipeline.api_url,
        listing_pipeline.client("dynamodb"),
        listing_pipeline.outputs["table_name"],
    )

    summary = [(page.name, page.status, len(page.item_ids), page.has_next) for page in pages]
    assert summary == [
        ("first page", 200, 100, True),
        ("deep page (from row 5001)", 200, 100, True),
        ("last page (from row 9951)", 200, 50, False),
    ]
    assert all(page.item_ids == page.expected_ids for page in pages)
