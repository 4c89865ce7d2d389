"""Property-based tests of the image API: no request gets a 5xx or an answer off the document."""

import base64
import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdas import api, listing, records
from lambdas.errors import InvalidCursorError
from tests.unit.lambdas.api_harness import (
    ORIGIN,
    OTHER_ORIGIN,
    FakeLambdaContext,
    Sandbox,
    make_config,
    make_event,
    sandbox,
    store_rows,
)
from tests.unit.openapi_contract import check_answer

__all__ = ["sandbox"]

ALLOWED_ORIGINS = (ORIGIN, OTHER_ORIGIN)
IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp", "IMAGE/HEIC", " image/avif "]

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)

# What an HTTP request line can carry in a path: no control characters.
_PATH_CHARACTERS = st.characters(exclude_categories=["Cc", "Cs"])

sort_keys = st.from_regex(r"[0-9A-Za-z:.+-]{1,64}#[0-9a-f]{32}", fullmatch=True)


def _b64(document: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


cursors = st.one_of(
    sort_keys.map(listing.encode_cursor),
    st.fixed_dictionaries({"v": json_values, "before": json_values}).map(_b64),
    json_values.map(_b64),
    st.text(max_size=300),
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", max_size=300
    ),
)

limits = st.one_of(
    st.integers(min_value=-5, max_value=150).map(str),
    st.text(max_size=8),
    st.sampled_from(["", "24", "1e2", "0x10", " 7", "٣"]),
)

queries = st.dictionaries(
    st.sampled_from(["limit", "cursor", "other"]),
    st.one_of(limits, cursors),
    max_size=3,
)

# The ids of the images the `stocked` fixture stores (store_rows names them so).
STOCKED_COUNT = 4
STOCKED_IDS = [
    records.make_image_id(make_config().uploads_bucket, f"uploads/{index:04d}/photo.jpg")
    for index in range(STOCKED_COUNT)
]

image_ids = st.one_of(
    st.sampled_from(STOCKED_IDS),
    st.from_regex(r"[0-9a-f]{32}", fullmatch=True),
    st.text(
        alphabet=_PATH_CHARACTERS.filter(lambda char: char not in "/?#"), min_size=1, max_size=64
    ),
)

upload_requests = st.fixed_dictionaries(
    {
        "filename": st.text(min_size=1, max_size=300).filter(str.strip),
        "content_type": st.one_of(st.sampled_from(IMAGE_TYPES), st.text(max_size=30)),
    },
    optional={"size": st.integers(min_value=1, max_value=4 * 1024 * 1024)},
)

bodies = st.one_of(
    st.none(),
    upload_requests.map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=200),
    st.binary(max_size=200),
)

paths = st.one_of(
    st.just("/images"),
    image_ids.map(lambda image_id: f"/images/{image_id}"),
    st.just("/uploads"),
    st.text(alphabet=_PATH_CHARACTERS, max_size=30).map(lambda text: "/" + text),
)

methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
origins = st.sampled_from([ORIGIN, OTHER_ORIGIN, "https://evil.example", None])


@pytest.fixture
def stocked(sandbox: Sandbox) -> Sandbox:
    """A sandbox holding a few ready images (kept across the examples of one test)."""
    stored = store_rows(sandbox.table, STOCKED_COUNT, sandbox.config)
    assert sorted(stored) == sorted(STOCKED_IDS)
    return sandbox


def _serve(method: str, path: str, origin: str | None, **kwargs: Any) -> dict[str, Any]:
    event = make_event(method, path, origin=origin, **kwargs)
    raw = api.handler(event, FakeLambdaContext())
    assert raw["statusCode"] < 500, raw["body"]
    check_answer(path, method, raw, origin_is_allowed=origin in ALLOWED_ORIGINS)
    return raw


@PROPERTY_SETTINGS
@given(method=methods, path=paths, query=queries, body=bodies, origin=origins)
def test_any_request_gets_a_documented_answer_below_500(
    stocked: Sandbox,
    method: str,
    path: str,
    query: dict[str, str],
    body: str | bytes | None,
    origin: str | None,
) -> None:
    _serve(method, path, origin, query=query, body=body)


@PROPERTY_SETTINGS
@given(query=queries)
def test_listing_answers_200_or_400_for_any_query(sandbox: Sandbox, query: dict[str, str]) -> None:
    raw = _serve("GET", "/images", ORIGIN, query=query)

    assert raw["statusCode"] in (200, 400)


@PROPERTY_SETTINGS
@given(request=upload_requests)
def test_well_formed_upload_requests_are_never_400(
    sandbox: Sandbox, request: dict[str, Any]
) -> None:
    raw = _serve("POST", "/uploads", ORIGIN, body=json.dumps(request))

    assert raw["statusCode"] in (201, 413, 415)


@PROPERTY_SETTINGS
@given(image_id=image_ids)
def test_image_routes_answer_200_202_or_404_for_any_id(stocked: Sandbox, image_id: str) -> None:
    for method in ("GET", "DELETE"):
        raw = _serve(method, f"/images/{image_id}", ORIGIN)

        assert raw["statusCode"] in (200, 202, 404)


@settings(max_examples=300, deadline=None)
@given(sort_key=sort_keys)
def test_cursor_round_trips_every_sort_key(sort_key: str) -> None:
    assert listing.decode_cursor(listing.encode_cursor(sort_key)) == sort_key


@settings(max_examples=300, deadline=None)
@given(raw=cursors)
def test_decode_cursor_either_answers_a_well_formed_sort_key_or_refuses(raw: str) -> None:
    try:
        sort_key = listing.decode_cursor(raw)
    except InvalidCursorError:
        return

    assert re.fullmatch(r"[0-9A-Za-z:.+-]{1,64}#[0-9a-f]{32}", sort_key)
