"""The tutorial's image-processor Lambda in our words, deployed beside ours to measure it.

Deployed as `lambda_function.py` with the benchmark's names in its constants; it
keeps the tutorial's behaviour on purpose (see lambda_handler).
"""

import io
import uuid
from datetime import datetime
from functools import cache
from typing import Any

import boto3
from PIL import Image

THUMBNAILS_BUCKET = "sample-thumbnails-bucket"
TABLE_NAME = "image_metadata"
THUMBNAIL_SIZE = (200, 200)


@cache
def _s3() -> Any:
    return boto3.client("s3")


@cache
def _table() -> Any:
    return boto3.resource("dynamodb").Table(TABLE_NAME)


def make_thumbnail(data: bytes) -> bytes:
    """Open with Pillow, thumbnail((200, 200)), save as JPEG with Pillow's defaults.

    The tutorial saves whatever mode it opened; convert("RGB") is the least it
    needs not to crash on palettes and transparency ("cannot write mode P as JPEG").
    """
    image = Image.open(io.BytesIO(data))
    image.thumbnail(THUMBNAIL_SIZE)
    if image.mode != "RGB":
        image = image.convert("RGB")

    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Thumbnail the first record's object and write a row with a fresh random id.

    As the tutorial: first record only, the key used exactly as it arrives,
    `thumb_<key>`, local time. Unlike it, the clients are made on first use
    rather than at import, so the compute benchmark imports make_thumbnail
    without AWS.
    """
    record = event["Records"][0]
    bucket = record["s3"]["bucket"]["name"]
    key = record["s3"]["object"]["key"]

    original = _s3().get_object(Bucket=bucket, Key=key)["Body"].read()
    thumbnail_key = f"thumb_{key}"
    _s3().put_object(
        Bucket=THUMBNAILS_BUCKET,
        Key=thumbnail_key,
        Body=make_thumbnail(original),
        ContentType="image/jpeg",
    )

    _table().put_item(
        Item={
            "image_id": str(uuid.uuid4()),
            "original_url": f"https://{bucket}.s3.amazonaws.com/{key}",
            "thumbnail_url": f"https://{THUMBNAILS_BUCKET}.s3.amazonaws.com/{thumbnail_key}",
            "uploaded_at": datetime.now().isoformat(),
        }
    )
    return {"statusCode": 200, "body": "thumbnail created"}
