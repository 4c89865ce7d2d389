"""Unit tests of scripts/benchmarks/api_pages.py: the synthetic rows follow lambdas/records.py."""

from lambdas import records
from scripts.benchmarks import api_pages


def test_synthetic_row_has_the_ids_and_listing_keys_records_derives() -> None:
    row = api_pages.make_row(7, shard_count=4)

    image_id = records.make_image_id(api_pages.BENCH_BUCKET, "photos/000007.jpg")
    assert row["image_id"] == image_id
    assert row["uploaded_at"] == "2025-01-01T00:00:07.000Z"
    assert (row["list_shard"], row["list_sort"]) == records.make_listing_keys(
        image_id, "2025-01-01T00:00:07.000Z", 4
    )
    assert row["thumbnail_key"] == records.make_thumbnail_key(image_id, 200)


def test_later_rows_sort_newer() -> None:
    rows = [api_pages.make_row(index, shard_count=4) for index in (1, 2, 10)]

    assert sorted(row["list_sort"] for row in rows) == [row["list_sort"] for row in rows]


def test_counting_table_adds_up_scanned_items() -> None:
    class TwoPages:
        name = "rows"

        def query(self, **request: object) -> dict[str, object]:
            return {"Items": [], "ScannedCount": 25}

        def scan(self, **request: object) -> dict[str, object]:
            return {"Items": [], "ScannedCount": 40}

    def read(counting: api_pages.CountingTable) -> None:
        counting.query(IndexName="newest_first")
        counting.query(IndexName="newest_first")
        counting.scan()

    assert api_pages.count_items_read(TwoPages(), read) == 90
