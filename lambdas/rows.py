"""Build the final metadata row the processor writes for an uploaded object: ready or failed.

Pure: an object event plus the renditions (or the rejection reason) in, a
records.ImageRow out. lambdas/storage.py writes it; the API reads it.
"""

from datetime import UTC, datetime

from lambdas import records
from lambdas.events import ObjectEvent
from lambdas.renditions import ImageRenditions


def format_timestamp(moment: datetime) -> str:
    """Format an aware datetime as ISO 8601 UTC with milliseconds: `2024-05-01T10:20:30.123Z`."""
    utc = moment.astimezone(UTC)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_ready_row(
    event: ObjectEvent,
    result: ImageRenditions,
    byte_size: int,
    shard_count: int,
    processed_at: datetime,
) -> records.ImageRow:
    """Describe an original of `byte_size` bytes whose thumbnails are stored.

    The first rendition (the first configured size) is the default thumbnail.
    """
    row = _make_base_row(event, "ready", shard_count, processed_at)
    image_id = row["image_id"]
    renditions: list[records.Rendition] = [
        {
            "key": records.make_thumbnail_key(image_id, thumbnail.max_edge),
            "max_edge": thumbnail.max_edge,
            "width": thumbnail.width,
            "height": thumbnail.height,
            "byte_size": len(thumbnail.data),
        }
        for thumbnail in result.thumbnails
    ]

    row["thumbnail_key"] = renditions[0]["key"]
    row["renditions"] = renditions
    row["width"] = result.width
    row["height"] = result.height
    row["format"] = result.format
    row["byte_size"] = byte_size
    row["content_type"] = result.content_type
    return row


def make_failed_row(
    event: ObjectEvent,
    reason: str,
    byte_size: int | None,
    shard_count: int,
    processed_at: datetime,
) -> records.ImageRow:
    """Describe an original that can never get a thumbnail, and say why."""
    row = _make_base_row(event, "failed", shard_count, processed_at)
    row["reason"] = reason
    if byte_size is not None:
        row["byte_size"] = byte_size
    return row


def _make_base_row(
    event: ObjectEvent,
    status: records.Status,
    shard_count: int,
    processed_at: datetime,
) -> records.ImageRow:
    image_id = records.make_image_id(event.bucket, event.key)
    uploaded_at = format_timestamp(event.event_time)
    list_shard, list_sort = records.make_listing_keys(image_id, uploaded_at, shard_count)

    return {
        "image_id": image_id,
        "bucket": event.bucket,
        "original_key": event.key,
        "name": event.key.rsplit("/", 1)[-1],
        "status": status,
        "uploaded_at": uploaded_at,
        "processed_at": format_timestamp(processed_at),
        "sequencer": records.pad_sequencer(event.sequencer),
        "list_shard": list_shard,
        "list_sort": list_sort,
    }
