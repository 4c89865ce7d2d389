"""Helpers for the end-to-end API tests: disposable pipelines, rows, pages and browser uploads.

Everything talks to the pipeline over plain HTTP (urllib for the API, requests
for S3 form posts and presigned URLs), the way the gallery and a browser do.
"""

import io
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
from boto3.dynamodb.types import TypeSerializer
from PIL import Image

from lambdas import records, rows
from lambdas.events import ObjectEvent
from lambdas.renditions import ImageRenditions, Thumbnail
from tests.support.sandbox import Pipeline, provision_pipeline, settings_for, wait_for

ALLOWED_ORIGIN = "http://localhost:3000"
FOREIGN_ORIGIN = "http://localhost:4000"
MAX_PAGES = 2_000
BATCH_WRITE_ITEMS = 25
HTTP_TIMEOUT_S = 30


def disposable_settings_overrides(label: str) -> dict[str, str]:
    """Name every resource of a second pipeline after `label`, so it shares nothing."""
    return {
        "PIPELINE_UPLOADS_BUCKET": f"{label}-uploads",
        "PIPELINE_THUMBNAILS_BUCKET": f"{label}-thumbnails",
        "PIPELINE_TABLE_NAME": f"{label}-metadata",
        "PIPELINE_QUEUE_NAME": f"{label}-queue",
        "PIPELINE_DLQ_NAME": f"{label}-dlq",
        "PIPELINE_PROCESSOR_FUNCTION": f"{label}-processor",
        "PIPELINE_API_FUNCTION": f"{label}-api",
        "PIPELINE_API_NAME": f"{label}-api",
        "PIPELINE_LAYER_NAME": f"{label}-deps",
    }


def provision_disposable(
    pipeline: Pipeline, work_dir: Path, label: str, overrides: dict[str, str] | None = None
) -> Pipeline:
    """Provision a second pipeline named after `label` beside `pipeline` (same emulator)."""
    environ = {**disposable_settings_overrides(label), **(overrides or {})}
    settings = settings_for(
        pipeline.settings.target,
        pipeline.settings.endpoint_url,
        work_dir,
        overrides=environ,
        runtime=pipeline.settings.lambda_runtime,
    )
    return provision_pipeline(settings)


def parse_moment(text: str) -> datetime:
    """Read an `uploaded_at` value back into an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def make_seed_row(
    bucket_name: str, key: str, uploaded_at: datetime, shard_count: int
) -> records.ImageRow:
    """Build the `ready` row the processor would write for a 640×480 JPEG uploaded at that moment.

    The thumbnail and original are never stored: the API signs URLs without
    reading objects, and these rows only feed the listing.
    """
    event = ObjectEvent(
        bucket=bucket_name,
        key=key,
        event_name="ObjectCreated:Put",
        event_time=uploaded_at,
        sequencer=f"{int(uploaded_at.timestamp() * 1000):X}",
        size=54_321,
    )
    result = ImageRenditions(
        format="JPEG",
        content_type="image/jpeg",
        mode="RGB",
        width=640,
        height=480,
        thumbnails=(Thumbnail(max_edge=200, width=200, height=150, data=b"\xff\xd8"),),
    )
    return rows.make_ready_row(event, result, 54_321, shard_count, processed_at=uploaded_at)


def put_rows(pipeline: Pipeline, new_rows: Iterable[records.ImageRow]) -> None:
    """Write rows straight into the pipeline's table, 25 per request."""
    dynamodb = pipeline.client("dynamodb")
    serializer = TypeSerializer()
    requests_left = [
        {"PutRequest": {"Item": {name: serializer.serialize(value) for name, value in row.items()}}}
        for row in new_rows
    ]
    _write_batches(dynamodb, pipeline.outputs["table_name"], requests_left)


def delete_rows(pipeline: Pipeline, image_ids: Iterable[str]) -> None:
    """Remove rows from the pipeline's table, 25 per request."""
    dynamodb = pipeline.client("dynamodb")
    requests_left = [
        {"DeleteRequest": {"Key": {"image_id": {"S": image_id}}}} for image_id in image_ids
    ]
    _write_batches(dynamodb, pipeline.outputs["table_name"], requests_left)


def _write_batches(dynamodb: Any, table_name: str, requests_left: list[dict[str, Any]]) -> None:
    while requests_left:
        batch, requests_left = requests_left[:BATCH_WRITE_ITEMS], requests_left[BATCH_WRITE_ITEMS:]
        answer = dynamodb.batch_write_item(RequestItems={table_name: batch})
        # Throttled writes come back unprocessed: send them again with the rest.
        requests_left.extend(answer.get("UnprocessedItems", {}).get(table_name, []))


def read_row(pipeline: Pipeline, image_id: str) -> dict[str, Any] | None:
    """Read a row with the test's own credentials (strongly consistent); None when absent."""
    answer = pipeline.client("dynamodb").get_item(
        TableName=pipeline.outputs["table_name"],
        Key={"image_id": {"S": image_id}},
        ConsistentRead=True,
    )
    return answer.get("Item")


def list_sort_of(item: Mapping[str, Any]) -> str:
    """Return the position of an API item in the newest-first index (records.make_listing_keys)."""
    return f"{item['uploaded_at']}#{item['image_id']}"


def read_pages(
    pipeline: Pipeline,
    limit: int,
    between_pages: Callable[[int, dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Follow next_cursor from the first page to the last; return every page body.

    `between_pages(index, page)` runs after each page that has a next cursor,
    before the next one is fetched.
    """
    pages: list[dict[str, Any]] = []
    cursor: str | None = None
    while len(pages) < MAX_PAGES:
        query = f"/images?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        status, page = pipeline.get_json(query)
        assert status == 200, page
        pages.append(page)
        cursor = page["next_cursor"]
        if cursor is None:
            return pages
        if between_pages is not None:
            between_pages(len(pages) - 1, page)
    raise AssertionError(f"the listing did not end within {MAX_PAGES} pages of {limit}")


def listed_ids(pipeline: Pipeline) -> list[str]:
    """Return the ids of the whole listing, newest first, in pages of 100."""
    return [item["image_id"] for page in read_pages(pipeline, 100) for item in page["items"]]


def call(
    pipeline: Pipeline,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    """Call the API; return the status, headers with lower-case names and the decoded JSON body."""
    status, raw_headers, raw_body = pipeline.http(method, path, body, headers)
    lowered = {name.lower(): value for name, value in raw_headers.items()}
    return status, lowered, json.loads(raw_body) if raw_body else None


def request_upload(
    pipeline: Pipeline, filename: str, content_type: str, size_bytes: int | None = None
) -> dict[str, Any]:
    """POST /uploads and return the ticket (image id, key, presigned form)."""
    announced: dict[str, Any] = {"filename": filename, "content_type": content_type}
    if size_bytes is not None:
        announced["size"] = size_bytes
    json_headers = {"Content-Type": "application/json"}
    status, _, ticket = call(
        pipeline, "POST", "/uploads", json.dumps(announced).encode(), json_headers
    )
    assert status == 201, ticket
    return dict(ticket)


def post_form(
    ticket: Mapping[str, Any],
    data: bytes,
    filename: str,
    field_changes: Mapping[str, str] | None = None,
) -> requests.Response:
    """Upload `data` as a browser does: the ticket's form fields first, the file last.

    `field_changes` replaces form fields, to try what the policy must refuse.
    """
    form = {**ticket["upload"]["fields"], **(field_changes or {})}
    content_type = form.get("Content-Type", "application/octet-stream")
    return requests.post(
        ticket["upload"]["url"],
        data=form,
        files={"file": (filename, data, content_type)},
        timeout=HTTP_TIMEOUT_S,
    )


def wait_for_status(
    pipeline: Pipeline, image_id: str, statuses: tuple[str, ...], timeout_s: float = 90.0
) -> dict[str, Any]:
    """Poll GET /images/{id} until the image has one of `statuses`; return the item."""

    def probe() -> dict[str, Any] | None:
        status, item = pipeline.get_json(f"/images/{image_id}")
        return item if status == 200 and item["status"] in statuses else None

    return wait_for(probe, timeout_s=timeout_s, what=f"image {image_id} to be {statuses}")


def wait_for_gone(pipeline: Pipeline, image_id: str, timeout_s: float = 90.0) -> None:
    """Poll GET /images/{id} until it answers 404."""

    def probe() -> bool | None:
        status, _ = pipeline.get_json(f"/images/{image_id}")
        return True if status == 404 else None

    wait_for(probe, timeout_s=timeout_s, what=f"image {image_id} to disappear")


def draw_jpeg(width: int, height: int, colour: tuple[int, int, int] = (200, 90, 40)) -> bytes:
    """Draw a small two-tone JPEG, so every upload is a real decodable image."""
    image = Image.new("RGB", (width, height), colour)
    image.paste((30, 120, 200), (0, 0, width // 2, height // 2))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()
