"""Newest-first listing for GET /images: page queries over the sharded index, and their cursors.

A page queries every shard of `records.LISTING_INDEX` newest-first below the
cursor, merges the answers and keeps `limit` rows; the sort key of the last row
becomes the next cursor. Never a table scan: one page costs one query per shard.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import ConditionBase, Key

from lambdas import records
from lambdas.errors import InvalidCursorError, InvalidLimitError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table
    from mypy_boto3_dynamodb.type_defs import QueryInputTableQueryTypeDef

DEFAULT_LIMIT = 24
MAX_LIMIT = 100
CURSOR_VERSION = 1
MAX_CURSOR_CHARS = 256

_LIMIT_PATTERN = re.compile(r"[1-9][0-9]{0,2}")
_CURSOR_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
_LIST_SORT_PATTERN = re.compile(r"[0-9A-Za-z:.+-]{1,64}#[0-9a-f]{32}")

RawRow = Mapping[str, Any]


@dataclass(frozen=True)
class Page:
    """One page of rows, newest first, and the cursor of the next page (None at the end)."""

    rows: list[RawRow]
    next_cursor: str | None


def parse_limit(raw: str | None) -> int:
    """Return the page size asked for by the `limit` query parameter (default 24).

    Raises InvalidLimitError unless `raw` is absent or a plain decimal integer
    from 1 to MAX_LIMIT.
    """
    if raw is None:
        return DEFAULT_LIMIT

    if not _LIMIT_PATTERN.fullmatch(raw) or int(raw) > MAX_LIMIT:
        raise InvalidLimitError(f"limit must be an integer from 1 to {MAX_LIMIT}.")
    return int(raw)


def encode_cursor(list_sort: str) -> str:
    """Wrap the sort key of the last listed row into an opaque, URL-safe cursor."""
    document = json.dumps({"v": CURSOR_VERSION, "before": list_sort}, separators=(",", ":"))
    return base64.urlsafe_b64encode(document.encode()).decode().rstrip("=")


def decode_cursor(raw: str) -> str:
    """Return the sort key a cursor points below.

    Raises InvalidCursorError for anything `encode_cursor` cannot have made:
    over-long, bad base64, bad JSON, an unknown version or an unexpected shape.
    """
    if len(raw) > MAX_CURSOR_CHARS or not _CURSOR_PATTERN.fullmatch(raw):
        raise InvalidCursorError("cursor is not a value returned by this API.")

    try:
        padded = raw + "=" * (-len(raw) % 4)
        document = json.loads(base64.urlsafe_b64decode(padded).decode())
    except (binascii.Error, ValueError) as exc:
        raise InvalidCursorError("cursor is not a value returned by this API.") from exc

    return _read_cursor_document(document)


def _read_cursor_document(document: object) -> str:
    if not isinstance(document, dict) or set(document) != {"v", "before"}:
        raise InvalidCursorError("cursor is not a value returned by this API.")

    version, before = document["v"], document["before"]
    if type(version) is not int or version != CURSOR_VERSION:
        raise InvalidCursorError("cursor comes from another version of this API.")
    if not isinstance(before, str) or not _LIST_SORT_PATTERN.fullmatch(before):
        raise InvalidCursorError("cursor is not a value returned by this API.")
    return before


def read_page(table: Table, shard_count: int, limit: int, before: str | None) -> Page:
    """Read the `limit` newest rows whose sort key is below `before` (all rows when None).

    Each shard is asked for limit + 1 rows, so the page knows exactly whether
    another row follows: the next cursor is None when nothing is left.
    """
    candidates: list[RawRow] = []
    for shard in range(shard_count):
        candidates.extend(_query_shard(table, str(shard), limit + 1, before))

    candidates.sort(key=lambda row: str(row["list_sort"]), reverse=True)
    rows = candidates[:limit]

    has_more = len(candidates) > limit
    next_cursor = encode_cursor(str(rows[-1]["list_sort"])) if has_more else None
    return Page(rows=rows, next_cursor=next_cursor)


def _query_shard(table: Table, shard: str, wanted: int, before: str | None) -> list[RawRow]:
    condition: ConditionBase = Key("list_shard").eq(shard)
    if before is not None:
        condition = condition & Key("list_sort").lt(before)
    request: QueryInputTableQueryTypeDef = {
        "IndexName": records.LISTING_INDEX,
        "KeyConditionExpression": condition,
        "ScanIndexForward": False,
    }

    # A query answer stops at 1 MB even below Limit: keep reading until the
    # shard has given `wanted` rows or has none left.
    rows: list[RawRow] = []
    while len(rows) < wanted:
        request["Limit"] = wanted - len(rows)
        answer = table.query(**request)
        rows.extend(answer.get("Items", []))
        last_key = answer.get("LastEvaluatedKey")
        if not last_key:
            break
        request["ExclusiveStartKey"] = last_key
    return rows
