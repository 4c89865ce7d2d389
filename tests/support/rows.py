"""Read what a deployed pipeline made of an upload: its row, its thumbnails, its API listing.

Shared by the end-to-end tests: rows come back deserialised (numbers as
Decimal), thumbnails as bytes, and the listing follows `next_cursor` to its end.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from boto3.dynamodb.types import TypeDeserializer

from lambdas.records import make_image_id
from scripts.results import read_rows
from tests.support.sandbox import Pipeline, wait_for

FINISHED_STATUSES = ("ready", "failed")


def image_id_of(pipeline: Pipeline, key: str) -> str:
    """Return the id of the object `key` in the pipeline's uploads bucket."""
    return make_image_id(pipeline.outputs["uploads_bucket"], key)


def read_row(pipeline: Pipeline, image_id: str) -> dict[str, Any] | None:
    """Return the row of `image_id` (strongly consistent read), or None when there is none."""
    response = pipeline.client("dynamodb").get_item(
        TableName=pipeline.outputs["table_name"],
        Key={"image_id": {"S": image_id}},
        ConsistentRead=True,
    )
    item = response.get("Item")
    if item is None:
        return None
    deserializer = TypeDeserializer()
    return {name: deserializer.deserialize(value) for name, value in item.items()}


def finished_row(pipeline: Pipeline, image_id: str) -> dict[str, Any] | None:
    """Return the row of `image_id` once it is ready or failed; None before that."""
    row = read_row(pipeline, image_id)
    return row if row and row["status"] in FINISHED_STATUSES else None


def wait_for_finished_row(pipeline: Pipeline, key: str, timeout_s: float = 60) -> dict[str, Any]:
    """Wait until the upload `key` has a ready or failed row, and return it."""
    image_id = image_id_of(pipeline, key)
    return wait_for(
        lambda: finished_row(pipeline, image_id), timeout_s=timeout_s, what=f"the row of {key!r}"
    )


def wait_for_new_row(
    pipeline: Pipeline, key: str, previous: dict[str, Any], timeout_s: float = 60
) -> dict[str, Any]:
    """Wait until `key` has a finished row written by a newer event than `previous`'s."""
    image_id = image_id_of(pipeline, key)

    def newer_row() -> dict[str, Any] | None:
        row = finished_row(pipeline, image_id)
        return row if row and row["sequencer"] > previous["sequencer"] else None

    return wait_for(newer_row, timeout_s=timeout_s, what=f"a newer row of {key!r}")


def scan_rows(pipeline: Pipeline) -> list[dict[str, Any]]:
    """Return every row of the metadata table, oldest upload first."""
    return read_rows(pipeline.client("dynamodb"), pipeline.outputs["table_name"])


def thumbnail_keys(pipeline: Pipeline, image_id: str) -> list[str]:
    """List every object stored under the image's prefix in the thumbnails bucket."""
    pages = (
        pipeline.client("s3")
        .get_paginator("list_objects_v2")
        .paginate(Bucket=pipeline.outputs["thumbnails_bucket"], Prefix=f"{image_id}/")
    )
    return sorted(entry["Key"] for page in pages for entry in page.get("Contents", []))


@dataclass(frozen=True)
class StoredThumbnail:
    """One thumbnail as stored: its bytes and the headers S3 serves it with."""

    data: bytes
    content_type: str
    cache_control: str | None


def read_thumbnail(pipeline: Pipeline, key: str) -> StoredThumbnail:
    """Download one thumbnail from the thumbnails bucket."""
    response = pipeline.client("s3").get_object(
        Bucket=pipeline.outputs["thumbnails_bucket"], Key=key
    )
    with response["Body"] as body:
        data = body.read()
    return StoredThumbnail(data, response["ContentType"], response.get("CacheControl"))


def list_images(pipeline: Pipeline, page_size: int) -> list[dict[str, Any]]:
    """Page through GET /images `page_size` items at a time, following next_cursor to the end."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query: dict[str, Any] = {"limit": page_size}
        if cursor:
            query["cursor"] = cursor
        status, page = pipeline.get_json(f"/images?{urlencode(query)}")
        assert status == 200, page

        items.extend(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return items
