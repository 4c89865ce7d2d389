"""Unit tests of lambdas/rows.py: the ready and failed rows the processor writes."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from lambdas import records, rows
from lambdas.events import ObjectEvent
from lambdas.renditions import ImageRenditions, Thumbnail

EVENT = ObjectEvent(
    bucket="uploads",
    key="albums/2024/été + beach.png",
    event_name="ObjectCreated:Put",
    event_time=datetime(2024, 5, 1, 10, 20, 30, 123456, tzinfo=UTC),
    sequencer="62E99A88DC407460",
    size=5000,
)
PROCESSED_AT = datetime(2024, 5, 1, 10, 21, tzinfo=UTC)
IMAGE_ID = records.make_image_id("uploads", "albums/2024/été + beach.png")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2024, 5, 1, 10, 20, 30, 123456, tzinfo=UTC), "2024-05-01T10:20:30.123Z"),
        (datetime(2024, 5, 1, 10, 20, 30, tzinfo=UTC), "2024-05-01T10:20:30.000Z"),
        (
            datetime(2024, 5, 1, 12, 20, 30, tzinfo=timezone(timedelta(hours=2))),
            "2024-05-01T10:20:30.000Z",
        ),
    ],
    ids=["truncates-microseconds", "adds-milliseconds", "converts-to-utc"],
)
def test_format_timestamp_is_utc_with_milliseconds(moment: datetime, expected: str) -> None:
    assert rows.format_timestamp(moment) == expected


def test_ready_row_points_to_every_rendition() -> None:
    result = ImageRenditions(
        format="PNG",
        content_type="image/png",
        mode="RGBA",
        width=1600,
        height=1200,
        thumbnails=(Thumbnail(200, 200, 150, b"a" * 10), Thumbnail(800, 800, 600, b"b" * 40)),
    )

    row = rows.make_ready_row(EVENT, result, 4999, shard_count=4, processed_at=PROCESSED_AT)

    list_shard, list_sort = records.make_listing_keys(IMAGE_ID, "2024-05-01T10:20:30.123Z", 4)
    assert row == {
        "image_id": IMAGE_ID,
        "bucket": "uploads",
        "original_key": "albums/2024/été + beach.png",
        "name": "été + beach.png",
        "status": "ready",
        "uploaded_at": "2024-05-01T10:20:30.123Z",
        "processed_at": "2024-05-01T10:21:00.000Z",
        "sequencer": "000000000000000062E99A88DC407460",
        "list_shard": list_shard,
        "list_sort": list_sort,
        "thumbnail_key": f"{IMAGE_ID}/200.jpg",
        "renditions": [
            {
                "key": f"{IMAGE_ID}/200.jpg",
                "max_edge": 200,
                "width": 200,
                "height": 150,
                "byte_size": 10,
            },
            {
                "key": f"{IMAGE_ID}/800.jpg",
                "max_edge": 800,
                "width": 800,
                "height": 600,
                "byte_size": 40,
            },
        ],
        "width": 1600,
        "height": 1200,
        "format": "PNG",
        "byte_size": 4999,
        "content_type": "image/png",
    }


def test_failed_row_carries_the_reason_and_no_thumbnail() -> None:
    row = rows.make_failed_row(EVENT, "the file is empty (0 bytes)", 0, 4, PROCESSED_AT)

    assert (row["status"], row["reason"], row["byte_size"]) == (
        "failed",
        "the file is empty (0 bytes)",
        0,
    )
    assert "thumbnail_key" not in row and "renditions" not in row


def test_failed_row_without_a_known_size_has_none() -> None:
    row = rows.make_failed_row(EVENT, "reason", None, 4, PROCESSED_AT)

    assert "byte_size" not in row
