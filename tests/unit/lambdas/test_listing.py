"""Unit tests for lambdas/listing.py: limit parsing, cursors, and the shard queries of a page."""

import base64
import json
from typing import Any

import pytest

from lambdas import listing, records
from lambdas.errors import InvalidCursorError, InvalidLimitError

LIST_SORT = "2024-05-01T12:00:00.123Z#3f2c5e0a9b8d4c7e6f1a2b3c4d5e6f70"


def _encode_document(document: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


class RecordingTable:
    """A table that only answers queries, from prepared rows per shard, and records each call.

    It has no scan method on purpose: a page must never scan.
    """

    def __init__(self, rows_by_shard: dict[str, list[dict[str, Any]]], page_size: int = 1000):
        self.rows_by_shard = rows_by_shard
        self.page_size = page_size
        self.calls: list[dict[str, Any]] = []

    def query(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(dict(kwargs))
        shard = _shard_of(kwargs["KeyConditionExpression"])
        rows = sorted(self.rows_by_shard.get(shard, []), key=lambda row: row["list_sort"])
        rows.reverse()
        start = kwargs.get("ExclusiveStartKey", {}).get("index", 0)
        count = min(kwargs["Limit"], self.page_size)
        answer: dict[str, Any] = {"Items": rows[start : start + count]}
        if start + count < len(rows):
            answer["LastEvaluatedKey"] = {"index": start + count}
        return answer


def _shard_of(condition: Any) -> str:
    expression = condition.get_expression()
    if expression["operator"] == "AND":
        expression = expression["values"][0].get_expression()
    return str(expression["values"][1])


def _row(second: int, shard: str) -> dict[str, Any]:
    image_id = f"{second:032x}"
    return {
        "image_id": image_id,
        "list_shard": shard,
        "list_sort": f"2024-05-01T12:00:{second:02d}.000Z#{image_id}",
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, 24), ("1", 1), ("24", 24), ("100", 100), ("7", 7)],
    ids=["absent-default", "one", "gallery", "maximum", "seven"],
)
def test_parse_limit_accepts_integers_from_1_to_100(raw: str | None, expected: int) -> None:
    assert listing.parse_limit(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "0", "101", "1000", "-1", "+5", " 5", "5 ", "05", "5.0", "1e2", "abc", "٣", "10,20"],
    ids=lambda raw: repr(raw),
)
def test_parse_limit_rejects_anything_else(raw: str) -> None:
    with pytest.raises(InvalidLimitError):
        listing.parse_limit(raw)


def test_cursor_round_trips_the_sort_key() -> None:
    cursor = listing.encode_cursor(LIST_SORT)

    assert listing.decode_cursor(cursor) == LIST_SORT


def test_cursor_is_url_safe_without_padding() -> None:
    cursor = listing.encode_cursor(LIST_SORT)

    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not base64!",
        "a",
        "A" * 257,
        _encode_document({"v": 1, "before": LIST_SORT}) + "=",
        base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
        _encode_document("just a string"),
        _encode_document([1, LIST_SORT]),
        _encode_document({"v": 2, "before": LIST_SORT}),
        _encode_document({"v": "1", "before": LIST_SORT}),
        _encode_document({"v": True, "before": LIST_SORT}),
        _encode_document({"v": 1.0, "before": LIST_SORT}),
        _encode_document({"v": 1}),
        _encode_document({"v": 1, "before": LIST_SORT, "extra": 0}),
        _encode_document({"v": 1, "before": 5}),
        _encode_document({"v": 1, "before": "2024-05-01T12:00:00Z"}),
        _encode_document({"v": 1, "before": "x' OR 1=1 #3f2c5e0a9b8d4c7e6f1a2b3c4d5e6f70"}),
        _encode_document({"v": 1, "before": "2024#3F2C5E0A9B8D4C7E6F1A2B3C4D5E6F70"}),
        base64.urlsafe_b64encode(b"[" * 150).decode().rstrip("="),
    ],
    ids=[
        "empty",
        "not-base64",
        "truncated",
        "over-long",
        "padding",
        "not-utf8",
        "json-string",
        "json-list",
        "wrong-version",
        "version-as-string",
        "version-as-bool",
        "version-as-float",
        "missing-before",
        "extra-key",
        "before-not-string",
        "before-without-id",
        "before-with-quote",
        "before-uppercase-id",
        "deep-nesting",
    ],
)
def test_decode_cursor_rejects_what_encode_cursor_cannot_make(raw: str) -> None:
    with pytest.raises(InvalidCursorError):
        listing.decode_cursor(raw)


def test_read_page_queries_every_shard_newest_first_with_one_spare_row() -> None:
    table = RecordingTable({"0": [_row(1, "0")], "1": [_row(2, "1")]})

    listing.read_page(table, shard_count=3, limit=5, before=None)  # type: ignore[arg-type]

    assert [call["IndexName"] for call in table.calls] == [records.LISTING_INDEX] * 3
    assert [call["ScanIndexForward"] for call in table.calls] == [False] * 3
    assert [call["Limit"] for call in table.calls] == [6] * 3


def test_read_page_below_a_cursor_uses_a_less_than_condition() -> None:
    table = RecordingTable({})

    listing.read_page(table, shard_count=1, limit=5, before=LIST_SORT)  # type: ignore[arg-type]

    expression = table.calls[0]["KeyConditionExpression"].get_expression()
    assert expression["operator"] == "AND"
    sort_condition = expression["values"][1].get_expression()
    assert sort_condition["operator"] == "<"
    assert sort_condition["values"][1] == LIST_SORT


def test_read_page_merges_shards_newest_first() -> None:
    table = RecordingTable(
        {"0": [_row(1, "0"), _row(4, "0")], "1": [_row(2, "1"), _row(5, "1")], "2": [_row(3, "2")]}
    )

    page = listing.read_page(table, shard_count=3, limit=10, before=None)  # type: ignore[arg-type]

    assert [row["image_id"][-1] for row in page.rows] == ["5", "4", "3", "2", "1"]
    assert page.next_cursor is None


def test_read_page_cursor_points_below_the_last_row_when_more_follow() -> None:
    table = RecordingTable({"0": [_row(1, "0"), _row(2, "0"), _row(3, "0")]})

    page = listing.read_page(table, shard_count=1, limit=2, before=None)  # type: ignore[arg-type]

    assert page.next_cursor is not None
    assert listing.decode_cursor(page.next_cursor) == page.rows[-1]["list_sort"]


def test_read_page_has_no_cursor_when_the_last_row_fills_the_page_exactly() -> None:
    table = RecordingTable({"0": [_row(1, "0")], "1": [_row(2, "1")]})

    page = listing.read_page(table, shard_count=2, limit=2, before=None)  # type: ignore[arg-type]

    assert len(page.rows) == 2
    assert page.next_cursor is None


def test_read_page_continues_a_shard_cut_short_by_the_1_mb_answer_limit() -> None:
    table = RecordingTable({"0": [_row(second, "0") for second in range(1, 8)]}, page_size=2)

    page = listing.read_page(table, shard_count=1, limit=5, before=None)  # type: ignore[arg-type]

    assert [row["image_id"][-1] for row in page.rows] == ["7", "6", "5", "4", "3"]
    assert [call["Limit"] for call in table.calls] == [6, 4, 2]
    assert page.next_cursor is not None
