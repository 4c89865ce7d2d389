"""Unit tests for lambdas/items.py: the API item of a stored row, its numbers and its URLs."""

import json
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from lambdas import records
from lambdas.items import make_item, to_plain_number
from lambdas.links import make_link_maker
from tests.unit.lambdas.api_harness import (
    NOW,
    PUBLIC_ENDPOINT,
    Sandbox,
    aws_environment,
    make_config,
    make_row,
    request,
    sandbox,
)

__all__ = ["sandbox"]

KEY = "uploads/holiday/Beach day.jpg"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials for local signing; no request ever leaves the process in these tests."""
    aws_environment(monkeypatch)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("200"), 200),
        (Decimal("1.5"), 1.5),
        (Decimal("1E+3"), 1000),
        (Decimal("0"), 0),
        (7, 7),
        (None, None),
        (True, None),
        ("12", None),
    ],
    ids=["integral", "fraction", "exponent", "zero", "int", "none", "bool", "text"],
)
def test_to_plain_number(value: object, expected: object) -> None:
    result = to_plain_number(value)

    assert result == expected
    assert type(result) is type(expected)


def test_ready_item_has_every_field_with_plain_numbers(offline: None) -> None:
    config = make_config()
    row = make_row(KEY, NOW, config)

    item = make_item(row, config, make_link_maker(config, {}))

    image_id = records.make_image_id(config.uploads_bucket, KEY)
    urls = {name: item.pop(name) for name in ("original_url", "thumbnail_url")}  # type: ignore[misc]
    thumbnail_urls = [thumbnail.pop("url") for thumbnail in item["thumbnails"]]  # type: ignore[misc]
    assert item == {
        "image_id": image_id,
        "name": "Beach day.jpg",
        "original_key": KEY,
        "status": "ready",
        "reason": None,
        "uploaded_at": "2024-05-01T12:00:00.123Z",
        "processed_at": "2024-05-01T12:00:02.000Z",
        "width": 1800,
        "height": 1200,
        "format": "JPEG",
        "byte_size": 523116,
        "content_type": "image/jpeg",
        "thumbnails": [
            {"max_edge": 200, "width": 200, "height": 133},
            {"max_edge": 800, "width": 800, "height": 533},
        ],
    }
    assert (
        urlsplit(urls["original_url"]).path
        == "/sample-image-uploads-bucket/uploads/holiday/Beach%20day.jpg"
    )
    assert urlsplit(urls["thumbnail_url"]).path == f"/sample-thumbnails-bucket/{image_id}/200.jpg"
    assert [urlsplit(url).path for url in thumbnail_urls] == [
        f"/sample-thumbnails-bucket/{image_id}/200.jpg",
        f"/sample-thumbnails-bucket/{image_id}/800.jpg",
    ]


def test_item_serialises_to_json_without_decimals(offline: None) -> None:
    config = make_config()
    row = make_row(KEY, NOW, config)
    row["width"] = Decimal("1800.0")

    text = json.dumps(make_item(row, config, make_link_maker(config, {})))

    assert json.loads(text)["width"] == 1800


def test_pending_item_has_no_thumbnails(offline: None) -> None:
    config = make_config()
    row = make_row(KEY, NOW, config, status="pending")

    item = make_item(row, config, make_link_maker(config, {}))

    assert item["status"] == "pending"
    assert item["thumbnail_url"] is None
    assert item["thumbnails"] == []
    assert (item["width"], item["processed_at"], item["reason"]) == (None, None, None)
    assert item["original_url"].startswith(f"{PUBLIC_ENDPOINT}/sample-image-uploads-bucket/")


def test_failed_item_carries_its_reason_and_no_thumbnails(offline: None) -> None:
    config = make_config()
    row = make_row(KEY, NOW, config, status="failed")

    item = make_item(row, config, make_link_maker(config, {}))

    assert item["reason"] == "not an image Pillow can read"
    assert item["thumbnail_url"] is None
    assert item["thumbnails"] == []


def test_reason_is_null_unless_failed(offline: None) -> None:
    config = make_config()
    row = make_row(KEY, NOW, config)
    row["reason"] = "left over from an earlier failure"

    item = make_item(row, config, make_link_maker(config, {}))

    assert item["reason"] is None


def test_thumbnail_url_falls_back_to_the_smallest_rendition(offline: None) -> None:
    config = make_config()
    row = make_row(KEY, NOW, config)
    del row["thumbnail_key"]

    item = make_item(row, config, make_link_maker(config, {}))

    assert item["thumbnail_url"] == item["thumbnails"][0]["url"]


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_urls_are_sigv4_presigned_for_the_public_endpoint(offline: None) -> None:
    config = make_config()
    row = make_row(KEY, NOW, config)

    item = make_item(row, config, make_link_maker(config, {}))

    for url in (item["original_url"], item["thumbnail_url"]):
        assert url is not None
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == PUBLIC_ENDPOINT
        assert _query(url)["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
        assert _query(url)["X-Amz-Expires"] == ["900"]
        assert "X-Amz-Signature" in _query(url)


def test_public_thumbnails_get_plain_urls_and_originals_stay_signed(offline: None) -> None:
    config = make_config(PIPELINE_PUBLIC_THUMBNAILS="true")
    row = make_row(KEY, NOW, config)

    item = make_item(row, config, make_link_maker(config, {}))

    image_id = row["image_id"]
    assert item["thumbnail_url"] == f"{PUBLIC_ENDPOINT}/sample-thumbnails-bucket/{image_id}/200.jpg"
    assert [thumbnail["url"] for thumbnail in item["thumbnails"]] == [
        f"{PUBLIC_ENDPOINT}/sample-thumbnails-bucket/{image_id}/200.jpg",
        f"{PUBLIC_ENDPOINT}/sample-thumbnails-bucket/{image_id}/800.jpg",
    ]
    assert "X-Amz-Signature" in _query(item["original_url"])


def test_get_image_answers_the_item_with_public_urls(sandbox: Sandbox) -> None:
    row: dict[str, Any] = make_row(KEY, NOW, sandbox.config)
    sandbox.table.put_item(Item=row)

    answer = request("GET", f"/images/{row['image_id']}")

    assert answer.status == 200
    assert answer.body["image_id"] == row["image_id"]
    assert answer.body["byte_size"] == 523116
    assert urlsplit(answer.body["thumbnail_url"]).netloc == "127.0.0.1:4566"
