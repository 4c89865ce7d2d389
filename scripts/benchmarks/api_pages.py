"""GET /images page latency as the table grows, against the tutorial's full-table scan.

Rows in the shape of lambdas/records.py go straight into the emulator's table;
each figure also counts the items read (DynamoDB's ScannedCount).
"""

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeSerializer

from lambdas import listing, records
from scripts.benchmarks import stats
from scripts.benchmarks.probes import get_json

BATCH_WRITE_LIMIT = 25
PAGES_TO_TENTH = 9
ORIGIN_TIME = datetime(2025, 1, 1, tzinfo=UTC)
BENCH_BUCKET = "bench-listing-bucket"


def make_row(index: int, shard_count: int) -> records.ImageRow:
    """Describe the `index`-th synthetic ready image, one second after the previous one."""
    key = f"photos/{index:06d}.jpg"
    image_id = records.make_image_id(BENCH_BUCKET, key)
    moment = ORIGIN_TIME + timedelta(seconds=index)
    uploaded_at = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    list_shard, list_sort = records.make_listing_keys(image_id, uploaded_at, shard_count)
    thumbnail_key = records.make_thumbnail_key(image_id, 200)
    return {
        "image_id": image_id,
        "bucket": BENCH_BUCKET,
        "original_key": key,
        "name": key.rsplit("/", 1)[-1],
        "status": "ready",
        "uploaded_at": uploaded_at,
        "processed_at": uploaded_at,
        "list_shard": list_shard,
        "list_sort": list_sort,
        "thumbnail_key": thumbnail_key,
        "renditions": [
            {"key": thumbnail_key, "max_edge": 200, "width": 200, "height": 133, "byte_size": 9000}
        ],
        "width": 1800,
        "height": 1200,
        "format": "JPEG",
        "byte_size": 480_000,
        "content_type": "image/jpeg",
        "sequencer": records.pad_sequencer(f"{index:016X}"),
    }


def write_rows(dynamodb: Any, table_name: str, first: int, count: int, shard_count: int) -> None:
    """Write rows first .. first + count - 1 with BatchWriteItem, retrying unprocessed items."""
    serializer = TypeSerializer()
    requests = [
        {"PutRequest": {"Item": {k: serializer.serialize(v) for k, v in row.items()}}}
        for row in (make_row(index, shard_count) for index in range(first, first + count))
    ]
    for start in range(0, len(requests), BATCH_WRITE_LIMIT):
        pending = {table_name: requests[start : start + BATCH_WRITE_LIMIT]}
        while pending:
            answer = dynamodb.batch_write_item(RequestItems=pending)
            pending = answer.get("UnprocessedItems") or {}


class CountingTable:
    """A Table resource that adds up the items its queries and scans read (ScannedCount).

    ScannedCount is what AWS bills read capacity on. MiniStack evaluates every
    item of an index partition in Python on each query, so its times grow
    with the table even where DynamoDB's work does not: the count shows both.
    """

    def __init__(self, table: Any) -> None:
        self._table = table
        self.items_read = 0

    @property
    def name(self) -> str:
        return str(self._table.name)

    def query(self, **request: Any) -> Any:
        answer = self._table.query(**request)
        self.items_read += int(answer.get("ScannedCount", 0))
        return answer

    def scan(self, **request: Any) -> Any:
        answer = self._table.scan(**request)
        self.items_read += int(answer.get("ScannedCount", 0))
        return answer


def count_items_read(table: Any, action: Callable[[CountingTable], object]) -> int:
    """Run `action` once on a counting view of `table`; return the items it read."""
    counting = CountingTable(table)
    action(counting)
    return counting.items_read


def _time_ms(action: Callable[[], object], repeats: int) -> list[float]:
    durations = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def _tenth_page_cursor(api_url: str) -> str | None:
    cursor = None
    for _ in range(PAGES_TO_TENTH):
        suffix = f"?cursor={cursor}" if cursor else ""
        cursor = get_json(f"{api_url}/images{suffix}")["next_cursor"]
        if cursor is None:
            return None
    return cursor


def _scan_once(table: Any) -> int:
    """The tutorial's listing: one Scan, no pagination (stops silently at 1 MB)."""
    items = table.scan()["Items"]
    shaped = [
        {
            "image_id": item["image_id"],
            "original_url": item.get("original_url"),
            "thumbnail_url": item.get("thumbnail_url"),
            "uploaded_at": item.get("uploaded_at"),
        }
        for item in items
    ]
    return len(shaped)


def _scan_all(table: Any) -> int:
    """The tutorial's Scan followed through every page: what listing everything really costs."""
    answer = table.scan()
    count = len(answer["Items"])
    while "LastEvaluatedKey" in answer:
        answer = table.scan(ExclusiveStartKey=answer["LastEvaluatedKey"])
        count += len(answer["Items"])
    return count


def measure_size(
    api_url: str, table: Any, shard_count: int, row_count: int, repeats: int
) -> dict[str, Any]:
    """Time the first and tenth page (HTTP API and bare queries) and both scans at one size."""
    get_json(f"{api_url}/images")
    tenth_cursor = _tenth_page_cursor(api_url)
    tenth_before = listing.decode_cursor(tenth_cursor) if tenth_cursor else None
    limit = listing.DEFAULT_LIMIT

    result: dict[str, Any] = {
        "rows": row_count,
        "api_first_page_ms": _time_ms(lambda: get_json(f"{api_url}/images"), repeats),
        "query_first_page_ms": _time_ms(
            lambda: listing.read_page(table, shard_count, limit, None), repeats
        ),
        "scan_one_call_ms": _time_ms(lambda: _scan_once(table), repeats),
        "scan_one_call_items": _scan_once(table),
        "scan_all_ms": _time_ms(lambda: _scan_all(table), repeats),
        "scan_all_items": _scan_all(table),
    }
    result["query_first_page_items_read"] = count_items_read(
        table, lambda counting: listing.read_page(counting, shard_count, limit, None)
    )
    result["scan_all_items_read"] = count_items_read(table, _scan_all)
    if tenth_cursor:
        tenth_url = f"{api_url}/images?cursor={tenth_cursor}"
        result["api_tenth_page_ms"] = _time_ms(lambda: get_json(tenth_url), repeats)
        result["query_tenth_page_ms"] = _time_ms(
            lambda: listing.read_page(table, shard_count, limit, tenth_before), repeats
        )
        result["query_tenth_page_items_read"] = count_items_read(
            table, lambda counting: listing.read_page(counting, shard_count, limit, tenth_before)
        )
    return {
        name: stats.median(value) if name.endswith("_ms") else value
        for name, value in result.items()
    }


def run(
    api_url: str,
    dynamodb: Any,
    table: Any,
    shard_count: int,
    sizes: tuple[int, ...],
    repeats: int,
    report: Callable[[str], None],
) -> dict[str, Any]:
    """Grow the table through `sizes` and measure at each; return the JSON section 'api'."""
    measured, written = [], 0
    for size in sizes:
        report(f"api: {size:,} rows")
        write_rows(dynamodb, table.name, written, size - written, shard_count)
        written = size
        measured.append(measure_size(api_url, table, shard_count, size, repeats))
    return {"page_limit": listing.DEFAULT_LIMIT, "repeats": repeats, "sizes": measured}
