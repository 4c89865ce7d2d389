"""Images for the browser tests: drawn or read from the corpus, put straight into the
uploads bucket with boto3, and awaited until the processor has finished them."""

import io
import json
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlencode

from PIL import Image

from lambdas.records import make_image_id
from tests.support.sandbox import Pipeline, wait_for

FINISHED_STATUSES = ("ready", "failed")
SETTLE_TIMEOUT_S = 240.0
# DynamoDB's BatchGetItem reads at most 100 keys per call.
_BATCH_KEYS = 100


def draw_png(index: int) -> bytes:
    """Draw a small PNG whose colour and stripes tell it apart from its neighbours."""
    colour = ((index * 53) % 256, (index * 97) % 256, (index * 151) % 256)
    image = Image.new("RGB", (96, 64), colour)
    stripe = Image.new("RGB", (8, 64), (255 - colour[0], 255 - colour[1], 255 - colour[2]))
    image.paste(stripe, ((index % 11) * 8, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def put_image(pipeline: Pipeline, key: str, body: bytes, content_type: str) -> str:
    """Put one object into the uploads bucket as any S3 client would; return its image id."""
    bucket_name = pipeline.outputs["uploads_bucket"]
    pipeline.client("s3").put_object(
        Bucket=bucket_name, Key=key, Body=body, ContentType=content_type
    )
    return make_image_id(bucket_name, key)


def put_corpus_image(pipeline: Pipeline, key: str, path: Path, content_type: str) -> str:
    """Put one corpus file (read in place) into the uploads bucket; return its image id."""
    return put_image(pipeline, key, path.read_bytes(), content_type)


def _read_statuses(pipeline: Pipeline, image_ids: list[str]) -> dict[str, str]:
    dynamodb = pipeline.client("dynamodb")
    table_name = pipeline.outputs["table_name"]
    statuses: dict[str, str] = {}
    for start in range(0, len(image_ids), _BATCH_KEYS):
        keys = [
            {"image_id": {"S": image_id}} for image_id in image_ids[start : start + _BATCH_KEYS]
        ]
        request = {table_name: {"Keys": keys, "ConsistentRead": True}}
        while request:
            answer = dynamodb.batch_get_item(RequestItems=request)
            for item in answer["Responses"].get(table_name, []):
                statuses[item["image_id"]["S"]] = item["status"]["S"]
            request = answer.get("UnprocessedKeys") or {}
    return statuses


def wait_until_finished(
    pipeline: Pipeline, image_ids: Iterable[str], timeout_s: float = SETTLE_TIMEOUT_S
) -> dict[str, str]:
    """Poll the table until every image is ready or failed; return each id's status."""
    wanted = list(image_ids)

    def finished() -> dict[str, str] | None:
        statuses = _read_statuses(pipeline, wanted)
        is_done = len(statuses) == len(wanted) and all(
            status in FINISHED_STATUSES for status in statuses.values()
        )
        return statuses if is_done else None

    return wait_for(finished, timeout_s=timeout_s, interval_s=1.0, what=f"{len(wanted)} images")


def list_image_ids(pipeline: Pipeline) -> list[str]:
    """Return the id of every image the API lists, following `next_cursor` to the end."""
    image_ids: list[str] = []
    cursor: str | None = None
    while True:
        query = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        status, _, body = pipeline.http("GET", f"/images?{urlencode(query)}")
        assert status == 200, body
        page = json.loads(body)
        image_ids.extend(item["image_id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return image_ids
