"""Run-time settings of the Lambda functions, read once from environment variables.

Provisioning (bootstrap/settings.py) sets every variable named here on the
functions; the defaults only serve unit tests and a bare local import.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_ORIGINS = "http://localhost:3000,http://127.0.0.1:3000"


@dataclass(frozen=True)
class FunctionConfig:
    """What a handler needs to know about its environment."""

    table_name: str
    uploads_bucket: str
    thumbnails_bucket: str
    thumbnail_sizes: tuple[int, ...]
    max_upload_bytes: int
    max_pixels: int
    url_expiry_s: int
    public_endpoint_url: str | None
    allowed_origins: tuple[str, ...]
    list_shards: int
    upload_prefix: str
    public_thumbnails: bool


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def load_config(environ: Mapping[str, str] | None = None) -> FunctionConfig:
    """Build the configuration from `environ` (the process environment by default)."""
    env = os.environ if environ is None else environ
    sizes = tuple(int(size) for size in _split(env.get("PIPELINE_THUMBNAIL_SIZES", "200")))

    return FunctionConfig(
        table_name=env.get("PIPELINE_TABLE_NAME", "image_metadata"),
        uploads_bucket=env.get("PIPELINE_UPLOADS_BUCKET", "sample-image-uploads-bucket"),
        thumbnails_bucket=env.get("PIPELINE_THUMBNAILS_BUCKET", "sample-thumbnails-bucket"),
        thumbnail_sizes=sizes,
        max_upload_bytes=int(env.get("PIPELINE_MAX_UPLOAD_BYTES", str(25 * 1024 * 1024))),
        max_pixels=int(env.get("PIPELINE_MAX_PIXELS", "64000000")),
        url_expiry_s=int(env.get("PIPELINE_URL_EXPIRY_S", "3600")),
        public_endpoint_url=env.get("PIPELINE_PUBLIC_ENDPOINT_URL") or None,
        allowed_origins=_split(env.get("PIPELINE_ALLOWED_ORIGINS", DEFAULT_ORIGINS)),
        list_shards=int(env.get("PIPELINE_LIST_SHARDS", "4")),
        upload_prefix=env.get("PIPELINE_UPLOAD_PREFIX", "uploads/"),
        public_thumbnails=env.get("PIPELINE_PUBLIC_THUMBNAILS", "false").lower() == "true",
    )
