"""The image-processor Lambda: S3 upload events in, thumbnails and one metadata row per object out.

Handler `lambdas.processor.handler`. Queue trigger: an SQS batch with partial
batch failures; direct trigger: an S3 notification. Per object: renditions
first, then the row that points to them, written only if no newer event won.
"""

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, partial
from typing import TYPE_CHECKING, Any, Literal

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from lambdas import config, events, records, renditions, rows, storage
from lambdas.events import ObjectEvent

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

Outcome = Literal["ready", "failed", "removed", "skipped", "duplicate", "stale"]

# Standard retry mode backs off on throttling; bounded timeouts keep one slow
# call from eating the whole function timeout.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=30
)

LOG_MESSAGES: dict[Outcome, str] = {
    "ready": "image processed",
    "failed": "image rejected",
    "removed": "image removed",
    "skipped": "event skipped",
    "duplicate": "duplicate event ignored",
    "stale": "stale event ignored",
}
WARNING_OUTCOMES = ("failed", "stale")

logger = Logger()


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Services:
    """What processing needs from outside: settings, AWS clients and a clock."""

    config: config.FunctionConfig
    s3: "S3Client"
    dynamodb: "DynamoDBClient"
    now: Callable[[], datetime] = _utc_now


@dataclass(frozen=True)
class ObjectResult:
    """How one object event ended, for the log line."""

    outcome: Outcome
    status: records.Status | None = None
    reason: str | None = None
    input_bytes: int = 0
    output_bytes: int = 0


class RecordsFailedError(Exception):
    """Some records of a direct S3 event failed; raised so that Lambda retries the event."""


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> Mapping[str, object]:
    """Entry point of the image-processor function."""
    return handle_event(event, load_services(), context)


@cache
def load_services() -> Services:
    """Read the settings and create the AWS clients once per cold start.

    boto3 picks up AWS_ENDPOINT_URL by itself, so emulators need no code here.
    """
    return Services(
        config=config.load_config(),
        s3=boto3.client("s3", config=CLIENT_CONFIG),
        dynamodb=boto3.client("dynamodb", config=CLIENT_CONFIG),
    )


def handle_event(
    event: dict[str, Any], services: Services, context: LambdaContext | None = None
) -> Mapping[str, object]:
    """Process an SQS batch (reporting failed messages) or a direct S3 notification.

    A direct notification whose records did not all succeed raises
    RecordsFailedError after trying every record, so Lambda retries it.
    """
    if events.is_queue_event(event):
        record_handler = partial(_process_queue_message, services=services)
        processor = BatchProcessor(EventType.SQS, raise_on_entire_batch_failure=False)
        return process_partial_response(event, record_handler, processor, context)

    notification = events.parse_notification(event)
    _process_notification(notification, services)
    return {"processed": len(notification.events)}


def _process_queue_message(record: SQSRecord, services: Services) -> None:
    """Process one SQS message; raising marks just this message as failed."""
    try:
        notification = events.parse_queue_message_body(record.body)
    except events.EventParseError:
        # Retrying cannot fix it: after maxReceiveCount it lands in the dead-letter queue.
        logger.exception("unreadable queue message", extra={"message_id": record.message_id})
        raise
    _process_notification(notification, services)


def _process_notification(notification: events.Notification, services: Services) -> None:
    if notification.is_test_event:
        logger.info("event skipped", extra={"outcome": "skipped", "reason": "s3:TestEvent"})
        return

    failures: list[Exception] = []
    for event in notification.events:
        try:
            process_object_event(event, services)
        except Exception as exc:  # one object's failure must not stop its neighbours
            failures.append(exc)
    if failures:
        count = f"{len(failures)} of {len(notification.events)}"
        raise RecordsFailedError(f"{count} object events failed") from failures[0]


def process_object_event(event: ObjectEvent, services: Services) -> ObjectResult:
    """Apply one object event and log its one summary line.

    Unexpected errors (throttling, network, bugs) are logged at ERROR and re-raised.
    """
    started = time.perf_counter()
    image_id = records.make_image_id(event.bucket, event.key)
    fields: dict[str, object] = {
        "bucket": event.bucket,
        "key": event.key,
        "image_id": image_id,
        "event_name": event.event_name,
    }

    try:
        result = _apply_event(event, image_id, services)
    except Exception:
        fields["duration_ms"] = _elapsed_ms(started)
        logger.exception("image processing failed", extra={**fields, "outcome": "error"})
        raise

    _log_result(result, {**fields, "duration_ms": _elapsed_ms(started)})
    return result


def _apply_event(event: ObjectEvent, image_id: str, services: Services) -> ObjectResult:
    skip_reason = _find_skip_reason(event, services.config)
    if skip_reason:
        return ObjectResult(outcome="skipped", reason=skip_reason)
    if event.kind == "created":
        return _process_created(event, image_id, services)
    return _process_removed(event, image_id, services)


def _find_skip_reason(event: ObjectEvent, settings: config.FunctionConfig) -> str | None:
    if event.is_folder_placeholder:
        return "folder placeholder"
    if event.bucket == settings.thumbnails_bucket:
        # Thumbnails written where originals arrive would trigger us again, forever.
        return "event from the thumbnails bucket"
    if event.kind == "other":
        return f"event type {event.event_name} is not handled"
    return None


def _process_created(event: ObjectEvent, image_id: str, services: Services) -> ObjectResult:
    settings = services.config
    try:
        data = _read_original(event, services)
    except storage.ObjectMissingError:
        return ObjectResult(outcome="skipped", reason="object no longer exists")
    except renditions.ImageRejectedError as exc:
        return _record_rejection(event, exc.reason, event.size, services)

    try:
        result = renditions.make_renditions(
            data, settings.thumbnail_sizes, settings.max_upload_bytes, settings.max_pixels
        )
    except renditions.ImageRejectedError as exc:
        return _record_rejection(event, exc.reason, len(data), services)

    for thumbnail in result.thumbnails:
        key = records.make_thumbnail_key(image_id, thumbnail.max_edge)
        storage.write_thumbnail(services.s3, settings.thumbnails_bucket, key, thumbnail.data)

    row = rows.make_ready_row(event, result, len(data), settings.list_shards, services.now())
    write = storage.put_row(services.dynamodb, settings.table_name, row)
    output_bytes = sum(len(thumbnail.data) for thumbnail in result.thumbnails)
    outcome: Outcome = "ready" if write == "written" else write
    return ObjectResult(outcome, "ready", input_bytes=len(data), output_bytes=output_bytes)


def _read_original(event: ObjectEvent, services: Services) -> bytes:
    """Download the original; the event's size already rules out empty and oversized ones.

    Raises storage.ObjectMissingError when the original is gone, also when its
    size alone would reject it.
    """
    max_bytes = services.config.max_upload_bytes
    if event.size is not None:
        try:
            renditions.check_byte_size(event.size, max_bytes)
        except renditions.ImageRejectedError:
            # S3 may deliver this event again after the original and its row were
            # deleted; a failed row must not come back for an object that is gone.
            storage.ensure_object_exists(services.s3, event.bucket, event.key)
            raise
    return storage.read_object(services.s3, event.bucket, event.key, max_bytes)


def _record_rejection(
    event: ObjectEvent, reason: str, byte_size: int | None, services: Services
) -> ObjectResult:
    """Write the failed row unless a newer event won, then drop the key's earlier thumbnails."""
    settings = services.config
    row = rows.make_failed_row(event, reason, byte_size, settings.list_shards, services.now())

    write = storage.put_row(services.dynamodb, settings.table_name, row)
    if write == "written":
        # The key may have held a readable image before: its thumbnails show content
        # that is gone (and would stay readable when thumbnails are public).
        keys = _configured_thumbnail_keys(row["image_id"], settings)
        storage.delete_thumbnails(services.s3, settings.thumbnails_bucket, keys)
    outcome: Outcome = "failed" if write == "written" else write
    return ObjectResult(outcome, "failed", reason, input_bytes=byte_size or 0)


def _process_removed(event: ObjectEvent, image_id: str, services: Services) -> ObjectResult:
    """Delete the row first (if no newer event wrote it), then every thumbnail it had."""
    settings = services.config
    sequencer = records.pad_sequencer(event.sequencer)
    deletion = storage.delete_row(services.dynamodb, settings.table_name, image_id, sequencer)
    if deletion.outcome != "written":
        return ObjectResult(outcome=deletion.outcome)

    configured = _configured_thumbnail_keys(image_id, settings)
    keys = dict.fromkeys([*deletion.thumbnail_keys, *configured])
    storage.delete_thumbnails(services.s3, settings.thumbnails_bucket, keys)
    return ObjectResult(outcome="removed")


def _configured_thumbnail_keys(image_id: str, settings: config.FunctionConfig) -> list[str]:
    return [records.make_thumbnail_key(image_id, edge) for edge in settings.thumbnail_sizes]


def _log_result(result: ObjectResult, fields: dict[str, object]) -> None:
    summary = {
        **fields,
        "outcome": result.outcome,
        "status": result.status,
        "reason": result.reason,
        "input_bytes": result.input_bytes,
        "output_bytes": result.output_bytes,
    }
    present = {name: value for name, value in summary.items() if value is not None}

    log = logger.warning if result.outcome in WARNING_OUTCOMES else logger.info
    log(LOG_MESSAGES[result.outcome], extra=present)


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
