"""Unit tests for lambdas/routing.py: which route a path belongs to, and what a log line names."""

from typing import Any

import pytest

from lambdas import routing
from tests.unit.lambdas.api_harness import load_event, make_event


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/images", "/images"),
        ("/images/3f2c5e0a9b8d4c7e6f1a2b3c4d5e6f70", "/images/{id}"),
        ("/images/not-an-id", "/images/{id}"),
        ("/uploads", "/uploads"),
        ("/images/", None),
        ("/images/a/b", None),
        ("/images\n", None),
        ("/IMAGES", None),
        ("/", None),
        ("", None),
    ],
    ids=repr,
)
def test_find_route(path: str, template: str | None) -> None:
    route = routing.find_route(path)

    assert (route.template if route else None) == template


@pytest.mark.parametrize(
    ("template", "allowed"),
    [
        ("/images", ("GET", "OPTIONS")),
        ("/images/{id}", ("DELETE", "GET", "OPTIONS")),
        ("/uploads", ("OPTIONS", "POST")),
    ],
)
def test_allowed_methods_include_the_preflight(template: str, allowed: tuple[str, ...]) -> None:
    (route,) = [route for route in routing.ROUTES if route.template == template]

    assert route.allowed_methods == allowed


def test_describe_request_names_method_and_route_template() -> None:
    event = load_event("http_get_image.json")

    assert routing.describe_request(event) == ("GET", "/images/{id}")


def test_describe_request_strips_a_named_stage() -> None:
    event = make_event("delete", "/prod/images/abc")
    event["requestContext"]["stage"] = "prod"

    assert routing.describe_request(event) == ("DELETE", "/images/{id}")


@pytest.mark.parametrize(
    "event",
    [{}, {"rawPath": 5}, {"requestContext": None}, {"requestContext": {"http": None}}],
    ids=["empty", "odd-path", "null-context", "null-http"],
)
def test_describe_request_tolerates_malformed_events(event: dict[str, Any]) -> None:
    assert routing.describe_request(event) == ("", "unmatched")
