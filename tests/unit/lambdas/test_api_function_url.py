"""The image API behind a Lambda function URL: the same handler, the same answers.

A function URL sends payload format 2.0 like the HTTP API, but every request
has routeKey `$default`, no pathParameters, and (AuthType NONE) an anonymous
account. Routing, CORS and the log line read only what both shapes carry.
"""

from typing import Any

import pytest

from tests.unit.lambdas.api_harness import (
    NOW,
    ORIGIN,
    LogCapture,
    Sandbox,
    api_logs,
    call,
    load_event,
    make_row,
    sandbox,
)

__all__ = ["api_logs", "sandbox"]

FIXTURE = "function_url_get_images.json"


def _url_event(method: str, path: str, **headers: str) -> dict[str, Any]:
    """Derive a function URL event for `method` and `path` from the GET /images sample."""
    event = load_event(FIXTURE)
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["rawQueryString"] = ""
    event.pop("queryStringParameters")
    event["headers"].update(headers)
    return event


def test_sample_event_has_the_function_url_shape() -> None:
    event = load_event(FIXTURE)

    assert event["routeKey"] == event["requestContext"]["routeKey"] == "$default"
    assert event["requestContext"]["accountId"] == "anonymous"
    assert ".lambda-url." in event["requestContext"]["domainName"]
    assert "pathParameters" not in event


def test_listing_through_a_function_url_answers_with_cors(sandbox: Sandbox) -> None:
    row = make_row("uploads/url/photo.jpg", NOW, sandbox.config)
    sandbox.table.put_item(Item=row)

    answer = call(load_event(FIXTURE))

    assert answer.status == 200
    assert [item["image_id"] for item in answer.body["items"]] == [row["image_id"]]
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_one_image_through_a_function_url_reads_the_id_from_the_path(sandbox: Sandbox) -> None:
    row = make_row("uploads/url/photo.jpg", NOW, sandbox.config)
    sandbox.table.put_item(Item=row)

    answer = call(_url_event("GET", f"/images/{row['image_id']}"))

    assert answer.status == 200
    assert answer.body["image_id"] == row["image_id"]


def test_preflight_through_a_function_url_is_answered_by_the_function(sandbox: Sandbox) -> None:
    event = _url_event("OPTIONS", "/uploads", **{"access-control-request-method": "POST"})

    answer = call(event)

    assert answer.status == 204
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in answer.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        pytest.param("GET", "/thumbnails", 404, "not_found", id="unknown-path"),
        pytest.param("PUT", "/images", 405, "method_not_allowed", id="wrong-method"),
    ],
)
def test_mistakes_through_a_function_url_get_the_json_errors(
    sandbox: Sandbox, method: str, path: str, status: int, code: str
) -> None:
    answer = call(_url_event(method, path))

    assert answer.status == status
    assert answer.body["error"]["code"] == code


def test_log_line_names_the_route_of_a_function_url_request(
    sandbox: Sandbox, api_logs: LogCapture
) -> None:
    call(load_event(FIXTURE))

    (line,) = [entry for entry in api_logs.entries if entry["level"] == "INFO"]
    assert (line["method"], line["route"], line["status_code"]) == ("GET", "/images", 200)
