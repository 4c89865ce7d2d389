"""GET /images through the handler on moto: order, exact pagination across shards, bad input."""

from datetime import timedelta

import pytest
from moto import mock_aws

from lambdas import api, listing
from tests.unit.lambdas.api_harness import (
    NOW,
    ORIGIN,
    Answer,
    Sandbox,
    aws_environment,
    make_config,
    open_sandbox,
    request,
    sandbox,
    store_rows,
)

__all__ = ["sandbox"]


def _walk(limit: int) -> list[Answer]:
    pages = [request("GET", "/images", query={"limit": str(limit)})]
    while pages[-1].body["next_cursor"] is not None:
        cursor = pages[-1].body["next_cursor"]
        pages.append(request("GET", "/images", query={"limit": str(limit), "cursor": cursor}))
    return pages


def _ids(page: Answer) -> list[str]:
    return [item["image_id"] for item in page.body["items"]]


@pytest.mark.parametrize("limit", [1, 7, 24, 100], ids=lambda limit: f"limit-{limit}")
def test_pages_list_every_image_exactly_once_newest_first(sandbox: Sandbox, limit: int) -> None:
    newest_first = store_rows(sandbox.table, 53, sandbox.config)

    pages = _walk(limit)

    listed = [image_id for page in pages for image_id in _ids(page)]
    assert listed == newest_first
    assert [len(_ids(page)) for page in pages[:-1]] == [limit] * (len(pages) - 1)
    assert len(pages) == -(-53 // limit)


def test_rows_are_spread_over_every_shard(sandbox: Sandbox) -> None:
    store_rows(sandbox.table, 53, sandbox.config)

    shards = {item["list_shard"] for item in sandbox.table.scan()["Items"]}

    assert shards == {"0", "1", "2", "3"}


@pytest.mark.parametrize("shards", ["1", "3", "16"], ids=lambda shards: f"{shards}-shards")
def test_pagination_is_exact_for_other_shard_counts(
    monkeypatch: pytest.MonkeyPatch, shards: str
) -> None:
    aws_environment(monkeypatch)
    with mock_aws():
        other = open_sandbox(make_config(PIPELINE_LIST_SHARDS=shards))
        newest_first = store_rows(other.table, 20, other.config)

        pages = _walk(6)

    api.use_services(None)
    assert [image_id for page in pages for image_id in _ids(page)] == newest_first


def test_last_page_that_ends_exactly_at_the_last_image_has_no_cursor(sandbox: Sandbox) -> None:
    store_rows(sandbox.table, 48, sandbox.config)

    pages = _walk(24)

    assert [len(_ids(page)) for page in pages] == [24, 24]
    assert pages[-1].body["next_cursor"] is None


def test_uploads_arriving_between_pages_are_not_repeated_or_inserted(sandbox: Sandbox) -> None:
    older = store_rows(sandbox.table, 10, sandbox.config)
    first = request("GET", "/images", query={"limit": "4"})

    store_rows(sandbox.table, 5, sandbox.config, start=NOW + timedelta(hours=1), folder="later")
    rest = []
    cursor = first.body["next_cursor"]
    while cursor is not None:
        page = request("GET", "/images", query={"limit": "4", "cursor": cursor})
        rest.extend(_ids(page))
        cursor = page.body["next_cursor"]

    assert _ids(first) + rest == older


def test_new_uploads_appear_on_a_fresh_first_page(sandbox: Sandbox) -> None:
    store_rows(sandbox.table, 3, sandbox.config)
    newer = store_rows(sandbox.table, 2, sandbox.config, start=NOW + timedelta(hours=1), folder="b")

    page = request("GET", "/images", query={"limit": "2"})

    assert _ids(page) == newer


def test_default_page_holds_24_images(sandbox: Sandbox) -> None:
    store_rows(sandbox.table, 30, sandbox.config)

    page = request("GET", "/images")

    assert len(_ids(page)) == 24
    assert page.body["next_cursor"] is not None


def test_empty_table_gives_an_empty_last_page(sandbox: Sandbox) -> None:
    page = request("GET", "/images")

    assert page.status == 200
    assert page.body == {"items": [], "next_cursor": None}


def test_next_cursor_is_opaque_and_encodes_the_last_sort_key(sandbox: Sandbox) -> None:
    store_rows(sandbox.table, 3, sandbox.config)

    page = request("GET", "/images", query={"limit": "2"})

    last = sandbox.table.get_item(Key={"image_id": _ids(page)[-1]})["Item"]
    assert listing.decode_cursor(page.body["next_cursor"]) == last["list_sort"]
    assert "#" not in page.body["next_cursor"]


@pytest.mark.parametrize("limit", ["0", "101", "-3", "ten", "", "2.5"], ids=repr)
def test_bad_limit_is_400_invalid_limit_with_cors(sandbox: Sandbox, limit: str) -> None:
    answer = request("GET", "/images", query={"limit": limit})

    assert answer.status == 400
    assert answer.body["error"]["code"] == "invalid_limit"
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN


@pytest.mark.parametrize(
    "cursor",
    ["", "%%%", "bm90IGpzb24", "eyJ2IjoyLCJiZWZvcmUiOiJ4In0", "A" * 5000],
    ids=["empty", "bad-base64", "not-json", "wrong-version", "over-long"],
)
def test_bad_cursor_is_400_invalid_cursor_with_cors(sandbox: Sandbox, cursor: str) -> None:
    answer = request("GET", "/images", query={"cursor": cursor})

    assert answer.status == 400
    assert answer.body["error"]["code"] == "invalid_cursor"
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_listing_never_scans_the_table(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    store_rows(sandbox.table, 5, sandbox.config)

    def refuse_scan(**_: object) -> None:
        raise AssertionError("GET /images scanned the table")

    monkeypatch.setattr(sandbox.table, "scan", refuse_scan)
    page = request("GET", "/images")

    assert page.status == 200
    assert len(_ids(page)) == 5
