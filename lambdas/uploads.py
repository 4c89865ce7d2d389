"""POST /uploads: check an announced upload, reserve its key and row, presign the browser's POST.

The server picks the key (`<prefix><uuid4 hex>/<safe name>`), so no client can
overwrite another's upload. The pending row lets the client poll
GET /images/{id} until the processor writes `ready` or `failed`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypedDict, cast

from lambdas import records
from lambdas.config import FunctionConfig
from lambdas.errors import InvalidBodyError, PayloadTooLargeError, UnsupportedMediaTypeError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table
    from mypy_boto3_s3 import S3Client

# Image types the processor can read, with the extension a nameless upload gets.
EXTENSION_BY_CONTENT_TYPE = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/tiff": "tiff",
    "image/bmp": "bmp",
    "image/avif": "avif",
    "image/heic": "heic",
    "image/heif": "heif",
}
ALLOWED_CONTENT_TYPES = frozenset(EXTENSION_BY_CONTENT_TYPE)

MAX_FILENAME_CHARS = 1024
MAX_CONTENT_TYPE_CHARS = 255
# Room for the longest valid body even when JSON escapes every character (up to
# 12 bytes each: a surrogate pair), so a valid request is never refused as too large.
MAX_BODY_BYTES = 16 * 1024
MAX_STEM_CHARS = 100
PENDING_GRACE_S = 24 * 60 * 60
FALLBACK_STEM = "upload"

_BODY_KEYS = frozenset({"filename", "content_type", "size"})
_UNSAFE_NAME_CHARS = re.compile(r"[^\w.-]+")
_EXTENSION_PATTERN = re.compile(r"[A-Za-z0-9]{1,10}")


@dataclass(frozen=True)
class UploadRequest:
    """What a client announces before uploading: file name, content type and maybe its size."""

    filename: str
    content_type: str
    size_bytes: int | None


class PresignedPost(TypedDict):
    """Where and with which form fields the browser POSTs the file."""

    url: str
    fields: dict[str, str]


class UploadTicket(TypedDict):
    """The 201 body of POST /uploads."""

    image_id: str
    key: str
    upload: PresignedPost
    expires_in: int


def parse_upload_request(body: str | None, is_base64_encoded: bool) -> UploadRequest:
    """Read the JSON body of POST /uploads.

    Raises InvalidBodyError for anything but an object with a non-empty string
    `filename`, a string `content_type` and an optional positive integer
    `size` (left out when unknown, never null); PayloadTooLargeError for a body
    over MAX_BODY_BYTES.
    """
    document = _decode_json(body, is_base64_encoded)
    if not isinstance(document, dict) or not _BODY_KEYS.issuperset(document):
        raise InvalidBodyError("body must be an object with filename, content_type and size.")

    filename = document.get("filename")
    if not isinstance(filename, str) or not filename.strip() or len(filename) > MAX_FILENAME_CHARS:
        message = f"filename must be a non-blank string of at most {MAX_FILENAME_CHARS} characters."
        raise InvalidBodyError(message)
    content_type = document.get("content_type")
    if not isinstance(content_type, str) or len(content_type) > MAX_CONTENT_TYPE_CHARS:
        raise InvalidBodyError("content_type must be a string such as image/jpeg.")
    size = document.get("size")
    if "size" in document and (type(size) is not int or size < 1):
        raise InvalidBodyError("size must be a positive integer (bytes), or left out.")

    return UploadRequest(filename, content_type.strip().lower(), size)


def _decode_json(body: str | None, is_base64_encoded: bool) -> object:
    if not body:
        raise InvalidBodyError("body must be a JSON object.")

    try:
        raw = base64.b64decode(body, validate=True) if is_base64_encoded else body.encode()
        if len(raw) > MAX_BODY_BYTES:
            raise PayloadTooLargeError(f"request body must be at most {MAX_BODY_BYTES} bytes.")
        return json.loads(raw.decode())
    except (binascii.Error, ValueError, RecursionError) as exc:
        raise InvalidBodyError("body must be a JSON object.") from exc


def check_upload_allowed(request: UploadRequest, max_upload_bytes: int) -> None:
    """Refuse types the processor cannot read (415) and announced sizes over the limit (413)."""
    if request.content_type not in ALLOWED_CONTENT_TYPES:
        allowed = ", ".join(sorted(ALLOWED_CONTENT_TYPES))
        raise UnsupportedMediaTypeError(f"content_type must be one of: {allowed}.")

    if request.size_bytes is not None and request.size_bytes > max_upload_bytes:
        raise PayloadTooLargeError(f"size must be at most {max_upload_bytes} bytes.")


def make_safe_filename(filename: str, content_type: str) -> str:
    """Reduce a client's file name to a safe basename that keeps its extension.

    Folders, spaces, `+`, `%`, control characters and leading dots go; letters
    of any script stay (NFC-normalised); the stem is cut to MAX_STEM_CHARS. A
    missing or odd extension becomes the usual one for `content_type`.
    """
    basename = re.split(r"[/\\]", unicodedata.normalize("NFC", filename))[-1]
    stem, dot, extension = basename.rpartition(".")
    if not dot:
        stem, extension = basename, ""

    safe_stem = _UNSAFE_NAME_CHARS.sub("-", stem).strip(".-_")[:MAX_STEM_CHARS].strip(".-_")
    if not _EXTENSION_PATTERN.fullmatch(extension):
        extension = EXTENSION_BY_CONTENT_TYPE.get(content_type, "bin")
    return f"{safe_stem or FALLBACK_STEM}.{extension}"


def format_timestamp(moment: datetime) -> str:
    """Format a moment as ISO 8601 UTC with milliseconds and `Z` (2024-05-01T12:00:00.000Z)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_pending_row(
    config: FunctionConfig, key: str, request: UploadRequest, now: datetime
) -> records.ImageRow:
    """Build the `pending` row of an announced upload; TTL expires_at removes it if abandoned."""
    image_id = records.make_image_id(config.uploads_bucket, key)
    uploaded_at = format_timestamp(now)
    list_shard, list_sort = records.make_listing_keys(image_id, uploaded_at, config.list_shards)
    expires_at = now + timedelta(seconds=config.url_expiry_s + PENDING_GRACE_S)

    return {
        "image_id": image_id,
        "bucket": config.uploads_bucket,
        "original_key": key,
        "name": key.rsplit("/", 1)[-1],
        "status": "pending",
        "uploaded_at": uploaded_at,
        "list_shard": list_shard,
        "list_sort": list_sort,
        "content_type": request.content_type,
        "expires_at": int(expires_at.timestamp()),
    }


def save_pending_row(table: Table, row: records.ImageRow) -> None:
    """Write the pending row unless a row for the id exists (the processor's result wins)."""
    item = cast("dict[str, Any]", row)
    table.put_item(Item=item, ConditionExpression="attribute_not_exists(image_id)")


def presign_upload(
    signer: S3Client, config: FunctionConfig, key: str, content_type: str
) -> PresignedPost:
    """Presign a browser form POST of exactly this key and content type, 1 byte to the size limit.

    The policy conditions are enforced by S3, not by us: see
    https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
    (boto3 adds the bucket and key conditions itself).
    """
    conditions: list[Any] = [
        {"Content-Type": content_type},
        ["content-length-range", 1, config.max_upload_bytes],
    ]
    post = signer.generate_presigned_post(
        Bucket=config.uploads_bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=conditions,
        ExpiresIn=config.url_expiry_s,
    )
    fields = {name: str(value) for name, value in post["fields"].items()}
    return {"url": post["url"], "fields": fields}


def create_upload(
    request: UploadRequest,
    config: FunctionConfig,
    table: Table,
    signer: S3Client,
    now: datetime,
    token: str,
) -> UploadTicket:
    """Reserve a key under a fresh `token` folder, record it as pending and presign its upload."""
    safe_name = make_safe_filename(request.filename, request.content_type)
    key = f"{config.upload_prefix}{token}/{safe_name}"

    row = make_pending_row(config, key, request, now)
    save_pending_row(table, row)

    upload = presign_upload(signer, config, key, request.content_type)
    expires_in = config.url_expiry_s
    return {"image_id": row["image_id"], "key": key, "upload": upload, "expires_in": expires_in}
