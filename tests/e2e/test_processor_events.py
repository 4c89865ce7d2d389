"""The deployed processor under real event delivery: duplicates, late events, removals, poison.

S3 delivers notifications at least once and in no promised order; these tests
deliver them twice or late on purpose (rebuilt from the stored row and sent
straight to the queue), delete originals, put a poison message into a batch
on a disposable pipeline with short retries, and try the direct S3 → Lambda
trigger on another disposable pipeline.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.corpus import corpus_file
from tests.support.notifications import (
    CREATED_EVENT,
    REMOVED_EVENT,
    count_messages,
    deliver_and_wait,
    make_notification,
    notification_of_row,
    shift_sequencer,
    wait_until_drained,
)
from tests.support.rows import (
    image_id_of,
    read_row,
    scan_rows,
    thumbnail_keys,
    wait_for_finished_row,
    wait_for_new_row,
)
from tests.support.sandbox import (
    Pipeline,
    provision_pipeline,
    settings_for,
    teardown_pipeline,
    wait_for,
)

PHOTO = "pillow-hopper.webp"
OTHER_PHOTO = "pillow-hopper_gray.jpg"

# A dead letter needs PIPELINE_MAX_RECEIVE_COUNT failed deliveries, each one
# visibility timeout (6 × the function timeout) apart: 2 × 18 s here, not 2 × 360 s.
SHORT_RETRIES = {"PIPELINE_PROCESSOR_TIMEOUT_S": "3", "PIPELINE_MAX_RECEIVE_COUNT": "2"}
POISON_BODY = json.dumps({"note": "a message that is not an S3 event notification"})


def _upload(pipeline: Pipeline, key: str, data: bytes) -> dict[str, Any]:
    """Upload `data` under `key` and return the finished row it gets."""
    pipeline.client("s3").put_object(Bucket=pipeline.outputs["uploads_bucket"], Key=key, Body=data)
    return wait_for_finished_row(pipeline, key)


def _replace(pipeline: Pipeline, key: str, data: bytes, previous: dict[str, Any]) -> dict[str, Any]:
    """Upload `data` over `key` and return the row its newer event writes."""
    pipeline.client("s3").put_object(Bucket=pipeline.outputs["uploads_bucket"], Key=key, Body=data)
    return wait_for_new_row(pipeline, key, previous)


def _rows_of(pipeline: Pipeline, key: str) -> list[dict[str, Any]]:
    return [row for row in scan_rows(pipeline) if row["original_key"] == key]


def _disposable_names(prefix: str) -> dict[str, str]:
    """Names for every resource of a second pipeline beside the session's one."""
    return {
        "PIPELINE_UPLOADS_BUCKET": f"{prefix}-uploads",
        "PIPELINE_THUMBNAILS_BUCKET": f"{prefix}-thumbnails",
        "PIPELINE_TABLE_NAME": f"{prefix}-metadata",
        "PIPELINE_QUEUE_NAME": f"{prefix}-queue",
        "PIPELINE_DLQ_NAME": f"{prefix}-dlq",
        "PIPELINE_PROCESSOR_FUNCTION": f"{prefix}-processor",
        "PIPELINE_API_FUNCTION": f"{prefix}-api",
        "PIPELINE_API_NAME": f"{prefix}-api",
        "PIPELINE_LAYER_NAME": f"{prefix}-deps",
    }


@contextmanager
def _disposable_pipeline(
    pipeline: Pipeline, work_dir: Path, overrides: dict[str, str]
) -> Iterator[Pipeline]:
    """Provision a second pipeline on the same target; tear it down afterwards."""
    settings = settings_for(
        pipeline.settings.target,
        pipeline.settings.endpoint_url,
        work_dir,
        overrides=overrides,
        runtime=pipeline.settings.lambda_runtime,
    )
    built = provision_pipeline(settings)
    built.emulator_paths = pipeline.emulator_paths
    try:
        yield built
    finally:
        teardown_pipeline(built)


@pytest.fixture(scope="module")
def short_retry_pipeline(
    pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    overrides = {**_disposable_names("events-short-retry"), **SHORT_RETRIES}
    with _disposable_pipeline(pipeline, tmp_path_factory.mktemp("short-retry"), overrides) as built:
        yield built


@pytest.fixture(scope="module")
def direct_pipeline(
    pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    overrides = {**_disposable_names("events-direct"), "PIPELINE_TRIGGER": "direct"}
    with _disposable_pipeline(pipeline, tmp_path_factory.mktemp("direct"), overrides) as built:
        yield built


@pytest.fixture(scope="module")
def barrier(pipeline: Pipeline) -> str:
    """An upload whose row tells when hand-delivered events before it have been handled."""
    key = "events/barrier.webp"
    _upload(pipeline, key, corpus_file(PHOTO).read_bytes())
    return key


def test_duplicate_notification_leaves_one_row_and_one_thumbnail(
    pipeline: Pipeline, barrier: str
) -> None:
    key = "events/duplicate/hopper copy.webp"
    row = _upload(pipeline, key, corpus_file(PHOTO).read_bytes())

    deliver_and_wait(pipeline, notification_of_row(row), barrier)

    assert read_row(pipeline, row["image_id"]) == row
    assert thumbnail_keys(pipeline, row["image_id"]) == [row["thumbnail_key"]]
    assert len(_rows_of(pipeline, key)) == 1


def test_reupload_of_the_same_bytes_rewrites_the_one_row(pipeline: Pipeline) -> None:
    key = "events/reupload/hopper again.webp"
    data = corpus_file(PHOTO).read_bytes()
    first = _upload(pipeline, key, data)

    second = _replace(pipeline, key, data, previous=first)

    assert second["status"] == "ready"
    assert thumbnail_keys(pipeline, second["image_id"]) == [second["thumbnail_key"]]
    assert len(_rows_of(pipeline, key)) == 1


def test_late_older_event_does_not_replace_the_newer_result(
    pipeline: Pipeline, barrier: str
) -> None:
    key = "events/late/first empty then a photo.webp"
    empty = _upload(pipeline, key, b"")
    ready = _replace(pipeline, key, corpus_file(PHOTO).read_bytes(), previous=empty)
    assert (empty["status"], ready["status"]) == ("failed", "ready")

    # Delivered again now: processed alone it would record "the file is empty".
    deliver_and_wait(pipeline, notification_of_row(empty), barrier)

    assert read_row(pipeline, ready["image_id"]) == ready
    assert thumbnail_keys(pipeline, ready["image_id"]) == [ready["thumbnail_key"]]


def test_late_removal_does_not_remove_a_newer_upload(pipeline: Pipeline, barrier: str) -> None:
    key = "events/late/deleted then uploaded again.webp"
    data = corpus_file(PHOTO).read_bytes()
    first = _upload(pipeline, key, data)
    pipeline.client("s3").delete_object(Bucket=pipeline.outputs["uploads_bucket"], Key=key)
    wait_for(lambda: True if read_row(pipeline, first["image_id"]) is None else None)
    again = _upload(pipeline, key, data)
    # The removal happened between the two uploads, so its sequencer lies between theirs.
    removal_sequencer = shift_sequencer(first["sequencer"], 1)
    assert int(removal_sequencer, 16) < int(again["sequencer"], 16)

    late_removal = notification_of_row(first, REMOVED_EVENT, sequencer=removal_sequencer)
    deliver_and_wait(pipeline, late_removal, barrier)

    assert read_row(pipeline, again["image_id"]) == again
    assert thumbnail_keys(pipeline, again["image_id"]) == [again["thumbnail_key"]]


def test_late_duplicate_of_a_deleted_empty_upload_brings_no_row_back(
    pipeline: Pipeline, barrier: str
) -> None:
    key = "events/late/empty then deleted.jpg"
    empty = _upload(pipeline, key, b"")
    pipeline.client("s3").delete_object(Bucket=pipeline.outputs["uploads_bucket"], Key=key)
    wait_for(lambda: True if read_row(pipeline, empty["image_id"]) is None else None)

    # The empty upload's event once more: it would be rejected by its size alone.
    deliver_and_wait(pipeline, notification_of_row(empty), barrier)

    assert read_row(pipeline, empty["image_id"]) is None


def test_photo_replaced_by_a_broken_file_keeps_no_thumbnail(pipeline: Pipeline) -> None:
    key = "events/replaced/photo then broken.png"
    photo = _upload(pipeline, key, corpus_file(PHOTO).read_bytes())
    assert thumbnail_keys(pipeline, photo["image_id"]) == [photo["thumbnail_key"]]

    broken = _replace(pipeline, key, corpus_file("pillow-broken.png").read_bytes(), photo)

    # The failed row is written first, the earlier thumbnail deleted right after.
    assert broken["status"] == "failed"
    assert wait_for(
        lambda: True if thumbnail_keys(pipeline, broken["image_id"]) == [] else None,
        what="the earlier thumbnail to go",
    )


def test_deleting_the_original_removes_its_row_and_thumbnails(pipeline: Pipeline) -> None:
    key = "events/delete/hopper to delete.webp"
    row = _upload(pipeline, key, corpus_file(PHOTO).read_bytes())
    assert thumbnail_keys(pipeline, row["image_id"]) == [row["thumbnail_key"]]

    pipeline.client("s3").delete_object(Bucket=pipeline.outputs["uploads_bucket"], Key=key)

    def is_cleaned_up() -> bool | None:
        row_left = read_row(pipeline, row["image_id"])
        return True if row_left is None and not thumbnail_keys(pipeline, row["image_id"]) else None

    assert wait_for(is_cleaned_up, what=f"the row and thumbnails of {key!r} to go")


def test_folder_placeholder_gets_no_row(pipeline: Pipeline, barrier: str) -> None:
    key, bucket = "photos/", pipeline.outputs["uploads_bucket"]
    pipeline.client("s3").put_object(Bucket=bucket, Key=key, Body=b"")
    # S3's own event comes through the queue in its own time; the same event
    # delivered by hand comes with a barrier that tells when it has been handled.
    placeholder = make_notification(
        bucket, key, CREATED_EVENT, "0055AED6DCD90281E5", "2024-05-01T10:20:30.123Z", size=0
    )

    deliver_and_wait(pipeline, placeholder, barrier)
    wait_until_drained(pipeline)

    assert read_row(pipeline, image_id_of(pipeline, key)) is None
    assert _rows_of(pipeline, key) == []


def _set_queue_trigger(pipeline: Pipeline, is_enabled: bool) -> None:
    """Pause or resume the processor's event source mapping and wait until it has."""
    client = pipeline.client("lambda")
    mappings = client.list_event_source_mappings(
        FunctionName=pipeline.outputs["processor_function"]
    )["EventSourceMappings"]
    uuid = mappings[0]["UUID"]
    client.update_event_source_mapping(UUID=uuid, Enabled=is_enabled)

    state = "Enabled" if is_enabled else "Disabled"
    wait_for(
        lambda: True if client.get_event_source_mapping(UUID=uuid)["State"] == state else None,
        what=f"the event source mapping to become {state}",
    )


def _wait_for_message_count(pipeline: Pipeline, queue_url: str, count: int) -> None:
    wait_for(
        lambda: True if count_messages(pipeline, queue_url) == count else None,
        what=f"{count} messages in the queue",
    )


def _receive_all(pipeline: Pipeline, queue_url: str) -> list[dict[str, Any]] | None:
    messages = pipeline.client("sqs").receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
    )
    return messages.get("Messages") or None


def test_poison_message_goes_to_the_dead_letter_queue_and_spares_its_batch(
    short_retry_pipeline: Pipeline,
) -> None:
    pipeline = short_retry_pipeline
    queue_url, keys = pipeline.outputs["queue_url"], ["batch/first.webp", "batch/second.jpg"]
    # Paused on an empty queue (S3's test event handled), the queue collects both
    # uploads' notifications and the poison message: resuming hands over all three at once.
    wait_until_drained(pipeline)
    _set_queue_trigger(pipeline, is_enabled=False)
    for key, name in zip(keys, (PHOTO, OTHER_PHOTO), strict=True):
        pipeline.client("s3").put_object(
            Bucket=pipeline.outputs["uploads_bucket"], Key=key, Body=corpus_file(name).read_bytes()
        )
    _wait_for_message_count(pipeline, queue_url, 2)
    pipeline.client("sqs").send_message(QueueUrl=queue_url, MessageBody=POISON_BODY)
    _wait_for_message_count(pipeline, queue_url, 3)

    _set_queue_trigger(pipeline, is_enabled=True)
    rows = [wait_for_finished_row(pipeline, key) for key in keys]
    dead_letters = wait_for(
        lambda: _receive_all(pipeline, pipeline.outputs["dlq_url"]),
        timeout_s=120,
        what="the poison message in the dead-letter queue",
    )

    assert [row["status"] for row in rows] == ["ready", "ready"]
    assert [message["Body"] for message in dead_letters] == [POISON_BODY]
    assert count_messages(pipeline, queue_url) == 0


def test_direct_trigger_turns_an_upload_into_a_ready_row(direct_pipeline: Pipeline) -> None:
    key = "direct/straight from S3 + no queue.webp"

    row = _upload(direct_pipeline, key, corpus_file(PHOTO).read_bytes())

    assert (direct_pipeline.outputs["trigger"], row["status"]) == ("direct", "ready")
    assert thumbnail_keys(direct_pipeline, row["image_id"]) == [row["thumbnail_key"]]
