"""The image API at both ends of its range: an empty table, and a table of ten thousand rows.

Synthetic rows go straight into the table (the listing, not the processor, is
under test); pages are then checked against the order the index must give.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from lambdas import listing, records
from lambdas.rows import format_timestamp
from scripts.results import read_rows

SYNTHETIC_BUCKET = "stress-synthetic"
WRITE_BATCH = 25
UNPROCESSED_RETRIES = 8
HTTP_TIMEOUT_S = 60
FIRST_UPLOAD = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PageCheck:
    """One GET /images answer compared with the page the table says it must be."""

    name: str
    status: int
    item_ids: tuple[str, ...]
    expected_ids: tuple[str, ...]
    has_next: bool
    expects_next: bool

    @property
    def is_right(self) -> bool:
        """Return whether status, items (in order) and the next cursor are all as expected."""
        return (
            self.status == 200
            and self.item_ids == self.expected_ids
            and self.has_next == self.expects_next
        )


def get_page(api_url: str, limit: int, cursor: str | None) -> tuple[int, dict[str, Any]]:
    """GET one page of /images; return the status and the JSON body."""
    params = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
    answer = requests.get(f"{api_url}/images", params=params, timeout=HTTP_TIMEOUT_S)
    return answer.status_code, answer.json()


def check_page(
    api_url: str, name: str, newest_first: Sequence[Mapping[str, Any]], start: int, limit: int
) -> PageCheck:
    """Ask for the page that begins at position `start` of `newest_first` and compare it."""
    cursor = listing.encode_cursor(str(newest_first[start - 1]["list_sort"])) if start else None
    status, body = get_page(api_url, limit, cursor)
    expected = tuple(str(row["image_id"]) for row in newest_first[start : start + limit])
    return PageCheck(
        name=name,
        status=status,
        item_ids=tuple(str(item["image_id"]) for item in body.get("items", [])),
        expected_ids=expected,
        has_next=body.get("next_cursor") is not None,
        expects_next=start + limit < len(newest_first),
    )


def check_listing(
    api_url: str, dynamodb: Any, table_name: str, limit: int = 100
) -> list[PageCheck]:
    """Check the first page, a page in the middle and the last page against the table."""
    rows = read_rows(dynamodb, table_name)
    newest_first = sorted(rows, key=lambda row: str(row["list_sort"]), reverse=True)
    if not newest_first:
        return [check_page(api_url, "empty table", newest_first, 0, limit)]

    middle = (len(newest_first) // 2 // limit) * limit
    last = max(0, len(newest_first) - limit // 2)
    return [
        check_page(api_url, "first page", newest_first, 0, limit),
        check_page(api_url, f"deep page (from row {middle + 1})", newest_first, middle, limit),
        check_page(api_url, f"last page (from row {last + 1})", newest_first, last, limit),
    ]


def make_synthetic_rows(count: int, shard_count: int) -> list[dict[str, Any]]:
    """Build `count` ready rows, one second apart from 2020-01-01, as DynamoDB items."""
    items = []
    for index in range(count):
        key = f"synthetic/{index:06d}.jpg"
        image_id = records.make_image_id(SYNTHETIC_BUCKET, key)
        uploaded_at = format_timestamp(FIRST_UPLOAD + timedelta(seconds=index))
        list_shard, list_sort = records.make_listing_keys(image_id, uploaded_at, shard_count)
        thumbnail_key = records.make_thumbnail_key(image_id, 200)
        items.append(
            {
                "image_id": {"S": image_id},
                "bucket": {"S": SYNTHETIC_BUCKET},
                "original_key": {"S": key},
                "name": {"S": key.rsplit("/", 1)[-1]},
                "status": {"S": "ready"},
                "uploaded_at": {"S": uploaded_at},
                "processed_at": {"S": uploaded_at},
                "list_shard": {"S": list_shard},
                "list_sort": {"S": list_sort},
                "thumbnail_key": {"S": thumbnail_key},
                "width": {"N": "640"},
                "height": {"N": "480"},
                "format": {"S": "JPEG"},
                "content_type": {"S": "image/jpeg"},
                "byte_size": {"N": "1000"},
            }
        )
    return items


def write_items(dynamodb: Any, table_name: str, items: Sequence[Mapping[str, Any]]) -> None:
    """Write items 25 per BatchWriteItem, resending what DynamoDB left unprocessed (bounded)."""
    for start in range(0, len(items), WRITE_BATCH):
        batch = [{"PutRequest": {"Item": item}} for item in items[start : start + WRITE_BATCH]]
        request: dict[str, Any] = {table_name: batch}
        for _ in range(UNPROCESSED_RETRIES):
            request = dynamodb.batch_write_item(RequestItems=request).get("UnprocessedItems", {})
            if not request:
                break
        else:
            raise RuntimeError(f"DynamoDB kept items unprocessed after {UNPROCESSED_RETRIES} tries")


def delete_items(dynamodb: Any, table_name: str, items: Sequence[Mapping[str, Any]]) -> None:
    """Delete the given items by their key, 25 per BatchWriteItem."""
    for start in range(0, len(items), WRITE_BATCH):
        batch = [
            {"DeleteRequest": {"Key": {"image_id": item["image_id"]}}}
            for item in items[start : start + WRITE_BATCH]
        ]
        request: dict[str, Any] = {table_name: batch}
        for _ in range(UNPROCESSED_RETRIES):
            request = dynamodb.batch_write_item(RequestItems=request).get("UnprocessedItems", {})
            if not request:
                break
