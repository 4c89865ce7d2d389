"""Unit tests for lambdas/links.py: which host URLs are signed for, and how they look."""

from urllib.parse import parse_qs, urlsplit

import pytest
from moto import mock_aws

from lambdas.links import make_link_maker, resolve_public_endpoint
from tests.unit.lambdas.api_harness import aws_environment, make_config

INTERNAL_ENDPOINT = "http://127.0.0.1:4566"
BROWSER_ENDPOINT = "http://127.0.0.1:14566"


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    aws_environment(monkeypatch)


@pytest.mark.parametrize(
    ("public", "environ", "expected"),
    [
        (BROWSER_ENDPOINT, {"AWS_ENDPOINT_URL": INTERNAL_ENDPOINT}, BROWSER_ENDPOINT),
        ("", {"AWS_ENDPOINT_URL": INTERNAL_ENDPOINT}, INTERNAL_ENDPOINT),
        (
            "",
            {"AWS_ENDPOINT_URL": INTERNAL_ENDPOINT, "AWS_ENDPOINT_URL_S3": BROWSER_ENDPOINT},
            BROWSER_ENDPOINT,
        ),
        ("", {"AWS_ENDPOINT_URL": ""}, None),
        ("", {}, None),
    ],
    ids=["public-wins", "aws-endpoint-fallback", "s3-specific-first", "empty-is-unset", "aws"],
)
def test_resolve_public_endpoint(
    public: str, environ: dict[str, str], expected: str | None
) -> None:
    config = make_config(PIPELINE_PUBLIC_ENDPOINT_URL=public)

    assert resolve_public_endpoint(config, environ) == expected


def test_signed_url_uses_path_style_on_the_public_endpoint() -> None:
    links = make_link_maker(make_config(PIPELINE_PUBLIC_ENDPOINT_URL=BROWSER_ENDPOINT), {})

    url = links.signed_url("sample-thumbnails-bucket", "a/200.jpg")

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "http",
        "127.0.0.1:14566",
        "/sample-thumbnails-bucket/a/200.jpg",
    )
    query = parse_qs(parts.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["900"]
    assert query["X-Amz-SignedHeaders"] == ["host"]


def test_signed_url_falls_back_to_the_environment_endpoint() -> None:
    config = make_config(PIPELINE_PUBLIC_ENDPOINT_URL="")
    links = make_link_maker(config, {"AWS_ENDPOINT_URL": INTERNAL_ENDPOINT})

    url = links.signed_url("sample-thumbnails-bucket", "a/200.jpg")

    assert url.startswith(f"{INTERNAL_ENDPOINT}/sample-thumbnails-bucket/a/200.jpg?")


def test_signed_url_without_any_endpoint_is_virtual_hosted_aws() -> None:
    config = make_config(PIPELINE_PUBLIC_ENDPOINT_URL="")

    with mock_aws():
        url = make_link_maker(config, {}).signed_url("sample-thumbnails-bucket", "a/200.jpg")

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "sample-thumbnails-bucket.s3.amazonaws.com",
        "/a/200.jpg",
    )
    assert parse_qs(parts.query)["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]


def test_keys_are_percent_encoded_in_urls() -> None:
    links = make_link_maker(make_config(), {})

    url = links.plain_url("sample-image-uploads-bucket", "uploads/ä b+c%.jpg")

    assert url == f"{INTERNAL_ENDPOINT}/sample-image-uploads-bucket/uploads/%C3%A4%20b%2Bc%25.jpg"


def test_plain_url_has_no_signature() -> None:
    links = make_link_maker(make_config(), {})

    url = links.plain_url("sample-thumbnails-bucket", "a/200.jpg")

    assert url == f"{INTERNAL_ENDPOINT}/sample-thumbnails-bucket/a/200.jpg"
