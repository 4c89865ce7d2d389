"""Parse what triggers the image processor into frozen dataclasses: where `Any` stops.

Two shapes arrive (see DESIGN.md): an SQS batch whose message bodies are S3
event notifications (the default trigger) and the S3 notification itself (the
direct trigger). Both become `Notification`s holding one `ObjectEvent` per object.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.data_classes.s3_event import S3EventRecord

EventKind = Literal["created", "removed", "other"]

TEST_EVENT_NAME = "s3:TestEvent"

# eventName is `ObjectCreated:Put`, `ObjectRemoved:Delete`, ...; the family decides.
EVENT_KINDS: dict[str, EventKind] = {"ObjectCreated": "created", "ObjectRemoved": "removed"}


class EventParseError(ValueError):
    """A payload that is not an S3 event notification we understand."""


@dataclass(frozen=True)
class ObjectEvent:
    """One S3 object event: which object, what happened to it, and when.

    `key` is decoded the way S3 encodes it (`+` is a space, `%2B` a plus, UTF-8
    as `%XX`) and never Unicode-normalised. `size` is None when the event has
    none (removals). `sequencer` orders events for the same key.
    """

    bucket: str
    key: str
    event_name: str
    event_time: datetime
    sequencer: str
    size: int | None

    @property
    def kind(self) -> EventKind:
        """Return whether the object was created, removed, or something else happened."""
        family = self.event_name.removeprefix("s3:").split(":", 1)[0]
        return EVENT_KINDS.get(family, "other")

    @property
    def is_folder_placeholder(self) -> bool:
        """Return whether this is the empty `folder/` object consoles create for folders."""
        return self.key.endswith("/") and not self.size


@dataclass(frozen=True)
class Notification:
    """One S3 event notification: its object events, or the test event S3 sends first."""

    events: tuple[ObjectEvent, ...]
    is_test_event: bool = False


def is_queue_event(event: Mapping[str, Any]) -> bool:
    """Return whether a Lambda event is an SQS batch (rather than a direct S3 notification)."""
    records = event.get("Records")
    if not isinstance(records, list) or not records:
        return False
    first = records[0]
    return isinstance(first, Mapping) and first.get("eventSource") == "aws:sqs"


def parse_queue_message_body(body: str) -> Notification:
    """Parse the body of one SQS message sent by an S3 bucket notification.

    Raises EventParseError when the body is not JSON or not an S3 notification.
    """
    try:
        payload = json.loads(body)
    except json.JSONDecodeError as exc:
        raise EventParseError("the message body is not JSON") from exc
    if not isinstance(payload, Mapping):
        raise EventParseError("the message body is not a JSON object")
    return parse_notification(payload)


def parse_notification(payload: Mapping[str, Any]) -> Notification:
    """Parse an S3 event notification: a direct Lambda event or one SQS message body.

    Raises EventParseError for anything else.
    """
    if payload.get("Event") == TEST_EVENT_NAME:
        return Notification(events=(), is_test_event=True)

    records = payload.get("Records")
    if not isinstance(records, list):
        raise EventParseError("the payload has no Records list")
    try:
        events = tuple(_parse_record(record) for record in S3Event(dict(payload)).records)
    except EventParseError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise EventParseError(f"an S3 event record is malformed: {exc!r}") from exc
    return Notification(events=events)


def _parse_record(record: S3EventRecord) -> ObjectEvent:
    if record.event_source != "aws:s3":
        raise EventParseError(f"a record comes from {record.event_source!r}, not aws:s3")

    s3_object = record.s3.get_object
    event_time = parse_event_time(record.event_time)
    raw_size = s3_object.get("size")
    return ObjectEvent(
        bucket=record.s3.bucket.name,
        key=unquote_plus(s3_object.key),
        event_name=record.event_name,
        event_time=event_time,
        sequencer=s3_object.get("sequencer") or _sequencer_from_time(event_time),
        size=None if raw_size is None else int(raw_size),
    )


def parse_event_time(value: str) -> datetime:
    """Parse an S3 `eventTime` (ISO 8601, usually `2024-05-01T10:20:30.123Z`) as aware UTC.

    A time without a zone is taken as UTC. Raises ValueError when unreadable.
    """
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _sequencer_from_time(event_time: datetime) -> str:
    """Stand in for a missing sequencer with the event time in microseconds, as hex.

    S3 always sends one for object events; this only keeps events from an
    emulator that omits it in time order.
    """
    return f"{int(event_time.timestamp() * 1_000_000):X}"
