"""Unit tests of lambdas/events.py: both trigger shapes, key decoding, test events."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lambdas import events

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "events"


def load_fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def s3_record(key: str, **overrides: Any) -> dict[str, Any]:
    record = load_fixture("s3_object_created.json")["Records"][0]
    record["s3"]["object"]["key"] = key
    record.update(overrides)
    return record


def test_direct_s3_event_is_parsed_into_one_object_event() -> None:
    payload = load_fixture("s3_object_created.json")

    notification = events.parse_notification(payload)

    assert notification == events.Notification(
        events=(
            events.ObjectEvent(
                bucket="sample-image-uploads-bucket",
                key="photos/summer holiday + friends été.jpg",
                event_name="ObjectCreated:Put",
                event_time=datetime(2024, 5, 1, 10, 20, 30, 123000, tzinfo=UTC),
                sequencer="0062E99A88DC407460",
                size=48213,
            ),
        )
    )
    assert notification.events[0].kind == "created"


def test_removal_event_has_no_size() -> None:
    payload = load_fixture("s3_object_removed.json")

    (event,) = events.parse_notification(payload).events

    assert (event.kind, event.size, event.sequencer) == ("removed", None, "0062E99A88DC407471")


def test_sqs_batch_is_recognised_and_each_body_parsed() -> None:
    payload = load_fixture("sqs_object_created.json")

    bodies = [events.parse_queue_message_body(record["body"]) for record in payload["Records"]]

    assert events.is_queue_event(payload)
    keys = [notification.events[0].key for notification in bodies]
    assert keys == ["uploads/caf\u00e9.jpg", "uploads/cafe\u0301.jpg"]


def test_keys_differing_only_in_unicode_normalisation_stay_different() -> None:
    payload = load_fixture("sqs_object_created.json")

    bodies = [events.parse_queue_message_body(record["body"]) for record in payload["Records"]]

    nfc, nfd = (notification.events[0].key for notification in bodies)
    assert nfc != nfd


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [
        ("my+photo.jpg", "my photo.jpg"),
        ("a%2Bb.jpg", "a+b.jpg"),
        ("%C3%A9t%C3%A9.png", "été.png"),
        ("100%25.jpg", "100%.jpg"),
        ("dir/sub+dir/x.jpg", "dir/sub dir/x.jpg"),
    ],
    ids=["space", "plus", "utf-8", "percent", "folders"],
)
def test_keys_are_decoded_as_s3_encodes_them(encoded: str, decoded: str) -> None:
    payload = {"Records": [s3_record(encoded)]}

    (event,) = events.parse_notification(payload).events

    assert event.key == decoded


def test_s3_test_event_in_a_queue_message_is_flagged() -> None:
    payload = load_fixture("sqs_test_event.json")

    notification = events.parse_queue_message_body(payload["Records"][0]["body"])

    assert notification == events.Notification(events=(), is_test_event=True)


def test_direct_event_is_not_a_queue_event() -> None:
    payload = load_fixture("s3_object_created.json")

    assert not events.is_queue_event(payload)
    assert not events.is_queue_event({})


def test_folder_placeholder_is_recognised() -> None:
    payload = load_fixture("s3_folder_placeholder.json")

    (event,) = events.parse_notification(payload).events

    assert event.key == "photos/"
    assert event.is_folder_placeholder


def test_non_empty_object_with_trailing_slash_is_no_placeholder() -> None:
    record = s3_record("photos/")
    record["s3"]["object"]["size"] = 10

    (event,) = events.parse_notification({"Records": [record]}).events

    assert not event.is_folder_placeholder


@pytest.mark.parametrize(
    ("event_name", "kind"),
    [
        ("ObjectCreated:Put", "created"),
        ("ObjectCreated:Copy", "created"),
        ("s3:ObjectCreated:Post", "created"),
        ("ObjectRemoved:DeleteMarkerCreated", "removed"),
        ("ObjectRestore:Completed", "other"),
    ],
)
def test_event_kind_comes_from_the_event_name_family(event_name: str, kind: str) -> None:
    payload = {"Records": [s3_record("a.jpg", eventName=event_name)]}

    (event,) = events.parse_notification(payload).events

    assert event.kind == kind


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-01T10:20:30.123Z", datetime(2024, 5, 1, 10, 20, 30, 123000, tzinfo=UTC)),
        ("2024-05-01T10:20:30Z", datetime(2024, 5, 1, 10, 20, 30, tzinfo=UTC)),
        ("2024-05-01T12:20:30.5+02:00", datetime(2024, 5, 1, 10, 20, 30, 500000, tzinfo=UTC)),
        ("2024-05-01T10:20:30.123456", datetime(2024, 5, 1, 10, 20, 30, 123456, tzinfo=UTC)),
    ],
    ids=["aws", "no-fraction", "offset", "naive"],
)
def test_event_time_is_read_as_utc(raw: str, expected: datetime) -> None:
    assert events.parse_event_time(raw) == expected


def test_missing_sequencer_is_derived_from_event_time() -> None:
    record = s3_record("a.jpg", eventTime="2024-05-01T10:20:30.000001Z")
    del record["s3"]["object"]["sequencer"]

    (event,) = events.parse_notification({"Records": [record]}).events

    assert event.sequencer == f"{1714558830000001:X}"


@pytest.mark.parametrize(
    "body",
    ["not json", "[1, 2]", '{"Message": "an SNS envelope"}', '{"Records": [{"eventSource": 1}]}'],
    ids=["not-json", "not-object", "no-records", "malformed-record"],
)
def test_unreadable_message_body_raises_event_parse_error(body: str) -> None:
    with pytest.raises(events.EventParseError):
        events.parse_queue_message_body(body)


def test_record_from_another_source_is_refused() -> None:
    payload = {"Records": [s3_record("a.jpg", eventSource="aws:sns")]}

    with pytest.raises(events.EventParseError, match="aws:sns"):
        events.parse_notification(payload)
