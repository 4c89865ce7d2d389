"""Unit tests of scripts/reliability/listing.py: synthetic rows and how pages are judged."""

from lambdas import records
from scripts.reliability import listing


def test_synthetic_rows_have_unique_ids_and_newest_last() -> None:
    rows = listing.make_synthetic_rows(50, shard_count=4)

    ids = [row["image_id"]["S"] for row in rows]
    sorts = [row["list_sort"]["S"] for row in rows]
    assert len(set(ids)) == 50
    assert sorts == sorted(sorts)
    assert {row["list_shard"]["S"] for row in rows} == {"0", "1", "2", "3"}


def test_synthetic_row_places_itself_in_the_index_like_a_real_one() -> None:
    row = listing.make_synthetic_rows(1, shard_count=4)[0]

    image_id, uploaded_at = row["image_id"]["S"], row["uploaded_at"]["S"]
    expected = records.make_listing_keys(image_id, uploaded_at, 4)
    assert (row["list_shard"]["S"], row["list_sort"]["S"]) == expected
    assert uploaded_at == "2020-01-01T00:00:00.000Z"


def test_page_is_right_only_with_status_items_in_order_and_cursor() -> None:
    right = listing.PageCheck("page", 200, ("a", "b"), ("a", "b"), True, True)

    assert right.is_right
    assert not listing.PageCheck("page", 500, ("a", "b"), ("a", "b"), True, True).is_right
    assert not listing.PageCheck("page", 200, ("b", "a"), ("a", "b"), True, True).is_right
    assert not listing.PageCheck("page", 200, ("a", "b"), ("a", "b"), False, True).is_right
