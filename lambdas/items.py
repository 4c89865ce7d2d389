"""The image item the API returns: a stored row with plain numbers and fresh URLs.

DynamoDB gives numbers as Decimal and rows may lack optional attributes; the
item always has every documented field (null when unknown), JSON-ready.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypedDict

from lambdas.config import FunctionConfig
from lambdas.links import LinkMaker


class ThumbnailItem(TypedDict):
    """One rendition of an image as the API shows it."""

    max_edge: int
    width: int
    height: int
    url: str


class ImageItem(TypedDict):
    """One image as GET /images and GET /images/{id} return it."""

    image_id: str
    name: str
    original_key: str
    status: str
    reason: str | None
    uploaded_at: str
    processed_at: str | None
    width: int | float | None
    height: int | float | None
    format: str | None
    byte_size: int | float | None
    content_type: str | None
    original_url: str
    thumbnail_url: str | None
    thumbnails: list[ThumbnailItem]


def to_plain_number(value: object) -> int | float | None:
    """Turn a DynamoDB number (Decimal) into an int when integral, else a float; None stays None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, int | float):
        return value
    return None


def make_item(row: Mapping[str, Any], config: FunctionConfig, links: LinkMaker) -> ImageItem:
    """Build the API item of a stored row, with URLs valid from now for config.url_expiry_s."""
    original_key = str(row["original_key"])
    is_ready = row["status"] == "ready"
    thumbnails = _make_thumbnails(row, config, links) if is_ready else []

    return {
        "image_id": str(row["image_id"]),
        "name": str(row.get("name") or original_key.rsplit("/", 1)[-1]),
        "original_key": original_key,
        "status": str(row["status"]),
        "reason": _optional_text(row.get("reason")) if row["status"] == "failed" else None,
        "uploaded_at": str(row["uploaded_at"]),
        "processed_at": _optional_text(row.get("processed_at")),
        "width": to_plain_number(row.get("width")),
        "height": to_plain_number(row.get("height")),
        "format": _optional_text(row.get("format")),
        "byte_size": to_plain_number(row.get("byte_size")),
        "content_type": _optional_text(row.get("content_type")),
        "original_url": links.signed_url(config.uploads_bucket, original_key),
        "thumbnail_url": _main_thumbnail_url(row, thumbnails, config, links) if is_ready else None,
        "thumbnails": thumbnails,
    }


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)


def _thumbnail_url(key: str, config: FunctionConfig, links: LinkMaker) -> str:
    # Public thumbnails are the tutorial's world-readable bucket: a plain URL
    # never expires, so the browser can cache it.
    if config.public_thumbnails:
        return links.plain_url(config.thumbnails_bucket, key)
    return links.signed_url(config.thumbnails_bucket, key)


def _make_thumbnails(
    row: Mapping[str, Any], config: FunctionConfig, links: LinkMaker
) -> list[ThumbnailItem]:
    renditions = sorted(row.get("renditions") or [], key=lambda rendition: rendition["max_edge"])
    return [
        {
            "max_edge": int(rendition["max_edge"]),
            "width": int(rendition["width"]),
            "height": int(rendition["height"]),
            "url": _thumbnail_url(str(rendition["key"]), config, links),
        }
        for rendition in renditions
    ]


def _main_thumbnail_url(
    row: Mapping[str, Any],
    thumbnails: list[ThumbnailItem],
    config: FunctionConfig,
    links: LinkMaker,
) -> str | None:
    if row.get("thumbnail_key"):
        return _thumbnail_url(str(row["thumbnail_key"]), config, links)
    return thumbnails[0]["url"] if thumbnails else None
