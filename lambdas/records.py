"""The metadata row: how an uploaded object maps to an id, thumbnail keys and listing keys.

Shared by the processor (which writes rows) and the API (which reads them and
announces ids for presigned uploads). No AWS calls here, only the naming rules.
"""

import hashlib
from typing import Literal, NotRequired, TypedDict

Status = Literal["pending", "ready", "failed"]

LISTING_INDEX = "newest_first"
SEQUENCER_WIDTH = 32


class Rendition(TypedDict):
    """One stored thumbnail of an original."""

    key: str
    max_edge: int
    width: int
    height: int
    byte_size: int


class ImageRow(TypedDict):
    """One item of the image_metadata table, as stored (numbers as int)."""

    image_id: str
    bucket: str
    original_key: str
    name: str
    status: Status
    uploaded_at: str
    list_shard: str
    list_sort: str
    reason: NotRequired[str]
    thumbnail_key: NotRequired[str]
    renditions: NotRequired[list[Rendition]]
    width: NotRequired[int]
    height: NotRequired[int]
    format: NotRequired[str]
    byte_size: NotRequired[int]
    content_type: NotRequired[str]
    processed_at: NotRequired[str]
    sequencer: NotRequired[str]
    expires_at: NotRequired[int]


def make_image_id(bucket_name: str, key: str) -> str:
    """Derive the stable id of an object: the same bucket and key always give the same id.

    Keys are hashed exactly as stored (no Unicode normalisation: S3 treats
    differently normalised keys as different objects, and so do we).
    """
    digest = hashlib.sha256(f"{bucket_name}\n{key}".encode()).hexdigest()
    return digest[:32]


def make_thumbnail_key(image_id: str, max_edge: int) -> str:
    """Name the thumbnail of one size: `<image_id>/<max_edge>.jpg`.

    Built from the id rather than the original key, so two originals can never
    share a thumbnail (`a/photo.jpg`, `b/photo.jpg`, `a/photo.png` all differ),
    and hostile keys (`../`, control characters, 1,000-byte names) never reach
    a thumbnail key.
    """
    return f"{image_id}/{max_edge}.jpg"


def make_listing_keys(image_id: str, uploaded_at: str, shard_count: int) -> tuple[str, str]:
    """Return the (list_shard, list_sort) pair that places a row in the newest-first index.

    Rows are spread over `shard_count` index partitions by their id, so writes
    never pile onto one hot partition; the sort key orders by upload time and
    breaks ties by id, which makes every position in the listing unique.
    """
    shard = int(image_id[:8], 16) % shard_count
    return str(shard), f"{uploaded_at}#{image_id}"


def pad_sequencer(sequencer: str) -> str:
    """Left-pad an S3 sequencer so that string order equals event order.

    S3 documents sequencers as hexadecimal values of varying length that compare
    correctly only once padded to the same length.
    """
    return sequencer.upper().rjust(SEQUENCER_WIDTH, "0")
