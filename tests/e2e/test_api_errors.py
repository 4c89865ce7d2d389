"""Client mistakes over real HTTP: the right 4xx, one JSON error shape, CORS for the gallery only.

Every request goes through the emulator's HTTP API to the deployed function,
with the gallery's Origin unless a test says otherwise.
"""

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from lambdas.listing import encode_cursor
from lambdas.uploads import MAX_BODY_BYTES
from tests.support.api import (
    ALLOWED_ORIGIN,
    FOREIGN_ORIGIN,
    call,
    delete_rows,
    make_seed_row,
    put_rows,
)
from tests.support.sandbox import Pipeline

EVENTS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "events"
UNKNOWN_ID = "0123456789abcdef0123456789abcdef"
JSON_HEADERS = {"Content-Type": "application/json"}


def _b64url(document: object) -> str:
    text = json.dumps(document, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.fixture(scope="module")
def real_cursor(pipeline: Pipeline) -> Iterator[str]:
    """A next_cursor the API really issued: two rows of our own make sure a second page exists."""
    moment = datetime.now(UTC) - timedelta(days=3650)
    shard_count = pipeline.settings.list_shards
    bucket_name = pipeline.outputs["uploads_bucket"]
    seeds = [
        make_seed_row(
            bucket_name, f"errors/seed-{n}.jpg", moment - timedelta(seconds=n), shard_count
        )
        for n in range(2)
    ]
    put_rows(pipeline, seeds)
    try:
        status, page = pipeline.get_json("/images?limit=1")
        assert status == 200 and page["next_cursor"], page
        yield page["next_cursor"]
    finally:
        delete_rows(pipeline, [row["image_id"] for row in seeds])


def _assert_error(
    answer: tuple[int, dict[str, str], Any], status: int, code: str, origin: str = ALLOWED_ORIGIN
) -> None:
    actual_status, headers, body = answer
    assert (actual_status, body["error"]["code"]) == (status, code), body
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert headers["content-type"] == "application/json"
    assert headers.get("access-control-allow-origin") == origin
    assert headers["vary"] == "Origin"
    assert headers["cache-control"] == "no-store"


def _get(pipeline: Pipeline, path: str) -> tuple[int, dict[str, str], Any]:
    return call(pipeline, "GET", path, headers={"Origin": ALLOWED_ORIGIN})


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", "", "1e2", "007"])
def test_bad_limit_is_400_invalid_limit(pipeline: Pipeline, limit: str) -> None:
    answer = _get(pipeline, f"/images?limit={quote(limit)}")

    _assert_error(answer, 400, "invalid_limit")


def _truncated(cursor: str) -> str:
    return cursor[:-6]


def _with_version(cursor: str, version: int) -> str:
    padded = cursor + "=" * (-len(cursor) % 4)
    document = json.loads(base64.urlsafe_b64decode(padded))
    return _b64url({**document, "v": version})


def _standard_base64(cursor: str) -> str:
    padded = cursor + "=" * (-len(cursor) % 4)
    return base64.b64encode(base64.urlsafe_b64decode(padded)).decode() + "=="


CURSOR_TAMPERING = {
    "garbage": lambda cursor: "zzzz",
    "punctuation": lambda cursor: "not a cursor!",
    "empty": lambda cursor: "",
    "over-long": lambda cursor: "A" * 257,
    "truncated": _truncated,
    "forged-sort-key": lambda cursor: _b64url({"v": 1, "before": "'; DROP TABLE images"}),
    "other-version": lambda cursor: _with_version(cursor, 2),
    "standard-base64": _standard_base64,
    "dynamodb-start-key": lambda cursor: _b64url(
        {"image_id": {"S": UNKNOWN_ID}, "list_shard": {"S": "0"}, "list_sort": {"S": "x"}}
    ),
    "plain-json": lambda cursor: quote(json.dumps({"v": 1, "before": "x"})),
}


@pytest.mark.parametrize("tampering", CURSOR_TAMPERING, ids=str)
def test_cursor_not_issued_by_the_api_is_400_invalid_cursor(
    pipeline: Pipeline, real_cursor: str, tampering: str
) -> None:
    cursor = CURSOR_TAMPERING[tampering](real_cursor)

    answer = _get(pipeline, f"/images?limit=1&cursor={quote(cursor, safe='%')}")

    _assert_error(answer, 400, "invalid_cursor")


def test_real_cursor_is_accepted(pipeline: Pipeline, real_cursor: str) -> None:
    status, _, page = _get(pipeline, f"/images?limit=1&cursor={real_cursor}")

    assert status == 200
    assert len(page["items"]) == 1


def test_cursor_of_an_unknown_position_is_accepted(pipeline: Pipeline) -> None:
    cursor = encode_cursor(f"2000-01-01T00:00:00.000Z#{UNKNOWN_ID}")

    status, _, page = _get(pipeline, f"/images?cursor={cursor}")

    assert (status, page["next_cursor"]) == (200, None)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/images/{UNKNOWN_ID}"),
        ("DELETE", f"/images/{UNKNOWN_ID}"),
        ("GET", "/images/not-an-id"),
        ("GET", f"/images/{UNKNOWN_ID.upper()}"),
        ("DELETE", "/images/..%2F..%2Fetc"),
    ],
    ids=["get-unknown", "delete-unknown", "get-malformed", "get-upper-case", "delete-traversal"],
)
def test_unknown_image_is_404_not_found(pipeline: Pipeline, method: str, path: str) -> None:
    answer = call(pipeline, method, path, headers={"Origin": ALLOWED_ORIGIN})

    _assert_error(answer, 404, "not_found")


@pytest.mark.parametrize(
    "path",
    ["/", "/nope", "/images/abc/thumbnails", "/upload", "/IMAGES"],
    ids=["root", "nope", "nested", "singular", "upper-case"],
)
def test_unknown_route_is_404_not_found(pipeline: Pipeline, path: str) -> None:
    answer = _get(pipeline, path)

    _assert_error(answer, 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/images", "GET, OPTIONS"),
        ("DELETE", "/images", "GET, OPTIONS"),
        ("POST", f"/images/{UNKNOWN_ID}", "DELETE, GET, OPTIONS"),
        ("PATCH", f"/images/{UNKNOWN_ID}", "DELETE, GET, OPTIONS"),
        ("GET", "/uploads", "OPTIONS, POST"),
    ],
    ids=["put-images", "delete-images", "post-image", "patch-image", "get-uploads"],
)
def test_wrong_method_is_405_with_allow(
    pipeline: Pipeline, method: str, path: str, allowed: str
) -> None:
    answer = call(pipeline, method, path, b"{}", {"Origin": ALLOWED_ORIGIN, **JSON_HEADERS})

    _assert_error(answer, 405, "method_not_allowed")
    assert answer[1]["allow"] == allowed


@pytest.mark.parametrize(
    "body",
    [
        b"{bad",
        b"",
        b"[]",
        b'"image.png"',
        b'{"filename": 3, "content_type": "image/png"}',
        b'{"filename": "   ", "content_type": "image/png"}',
        b'{"content_type": "image/png"}',
        b'{"filename": "a.png", "content_type": "image/png", "size": 0}',
        b'{"filename": "a.png", "content_type": "image/png", "size": 1.5}',
        b'{"filename": "a.png", "content_type": "image/png", "size": "10"}',
        b'{"filename": "a.png", "content_type": "image/png", "owner": "me"}',
        b"\xff\xfe{}",
    ],
    ids=[
        "broken-json",
        "empty",
        "array",
        "string",
        "numeric-filename",
        "blank-filename",
        "no-filename",
        "zero-size",
        "fractional-size",
        "string-size",
        "unknown-field",
        "not-utf8",
    ],
)
def test_malformed_upload_request_is_400_invalid_body(pipeline: Pipeline, body: bytes) -> None:
    answer = call(pipeline, "POST", "/uploads", body, {"Origin": ALLOWED_ORIGIN, **JSON_HEADERS})

    _assert_error(answer, 400, "invalid_body")


REFUSED_UPLOADS = {
    "text": ({"filename": "notes.txt", "content_type": "text/plain"}, 415),
    "svg": ({"filename": "vector.svg", "content_type": "image/svg+xml"}, 415),
    "announced-size": ({"filename": "huge.jpg", "content_type": "image/jpeg", "size": 10**12}, 413),
    "request-body": ({"filename": "a.jpg", "content_type": " " * MAX_BODY_BYTES}, 413),
}
ERROR_CODES = {413: "payload_too_large", 415: "unsupported_media_type"}


@pytest.mark.parametrize("refusal", REFUSED_UPLOADS, ids=str)
def test_refused_upload_request_is_the_fitting_4xx(pipeline: Pipeline, refusal: str) -> None:
    announced, status = REFUSED_UPLOADS[refusal]
    body = json.dumps(announced).encode()

    answer = call(pipeline, "POST", "/uploads", body, {"Origin": ALLOWED_ORIGIN, **JSON_HEADERS})

    _assert_error(answer, status, ERROR_CODES[status])


@pytest.mark.parametrize("origin", [ALLOWED_ORIGIN, "http://127.0.0.1:3000"])
def test_each_configured_origin_gets_cors_headers(pipeline: Pipeline, origin: str) -> None:
    status, headers, _ = call(pipeline, "GET", "/images?limit=1", headers={"Origin": origin})

    assert status == 200
    assert headers["access-control-allow-origin"] == origin
    assert "content-type" in headers["access-control-allow-headers"].lower()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/images?limit=1", 200), ("GET", "/images?limit=0", 400), ("PUT", "/images", 405)],
    ids=["listing", "bad-limit", "wrong-method"],
)
def test_foreign_origin_gets_no_cors_headers(
    pipeline: Pipeline, method: str, path: str, status: int
) -> None:
    answer = call(pipeline, method, path, headers={"Origin": FOREIGN_ORIGIN})

    assert answer[0] == status
    assert not [name for name in answer[1] if name.startswith("access-control-")]
    assert answer[1]["vary"] == "Origin"


def _invoke_api_function(pipeline: Pipeline, event: dict[str, Any]) -> dict[str, Any]:
    answer = pipeline.client("lambda").invoke(
        FunctionName=pipeline.outputs["api_function"], Payload=json.dumps(event).encode()
    )
    assert "FunctionError" not in answer, answer["Payload"].read()
    return dict(json.loads(answer["Payload"].read()))


@pytest.mark.parametrize(
    ("origin", "allowed_origin"),
    [(ALLOWED_ORIGIN, ALLOWED_ORIGIN), (FOREIGN_ORIGIN, None)],
    ids=["gallery", "foreign"],
)
def test_preflight_reaching_the_function_answers_204(
    pipeline: Pipeline, origin: str, allowed_origin: str | None
) -> None:
    # An HTTP API without its own CORS configuration forwards OPTIONS to the
    # $default route on AWS; MiniStack answers 403 itself, so this test hands
    # the deployed function the event AWS would send.
    event = json.loads((EVENTS_DIR / "http_options_preflight.json").read_text())
    event["headers"]["origin"] = origin

    response = _invoke_api_function(pipeline, event)

    headers = {name.lower(): value for name, value in response["headers"].items()}
    assert response["statusCode"] == 204
    assert headers.get("access-control-allow-origin") == allowed_origin
