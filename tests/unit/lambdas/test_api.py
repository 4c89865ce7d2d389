"""The image API handler: routing, 404/405, CORS on every answer, 500s, and its one log line."""

import json
from dataclasses import replace
from typing import Any

import pytest
from moto import mock_aws

from lambdas import api
from tests.unit.lambdas.api_harness import (
    NOW,
    ORIGIN,
    OTHER_ORIGIN,
    FakeLambdaContext,
    LogCapture,
    Sandbox,
    api_logs,
    aws_environment,
    call,
    create_table,
    load_event,
    make_config,
    make_event,
    make_row,
    open_sandbox,
    request,
    sandbox,
    store_rows,
)

__all__ = ["api_logs", "sandbox"]

FIXTURE_ID = "3f2c5e0a9b8d4c7e6f1a2b3c4d5e6f70"
GENERIC_500 = {
    "error": {"code": "internal_error", "message": "The server could not complete the request."}
}


class FailingTable:
    """A table whose every call fails the way a bug or an outage would."""

    def get_item(self, **_: Any) -> Any:
        raise RuntimeError("boom: internal detail")

    def query(self, **_: Any) -> Any:
        raise RuntimeError("boom: internal detail")


def _break_table(sandbox: Sandbox) -> None:
    api.use_services(replace(sandbox.services, table=FailingTable()))


def _info_lines(logs: LogCapture) -> list[dict[str, Any]]:
    return [entry for entry in logs.entries if entry["level"] == "INFO"]


@pytest.mark.parametrize(
    ("fixture", "status"),
    [
        ("http_get_images.json", 200),
        ("http_get_image.json", 200),
        ("http_post_uploads.json", 201),
        ("http_delete_image.json", 202),
        ("http_options_preflight.json", 204),
        ("http_put_images.json", 405),
        ("http_get_unknown.json", 404),
    ],
)
def test_sample_events_get_their_documented_status(
    sandbox: Sandbox, fixture: str, status: int
) -> None:
    row = make_row("uploads/fixture/photo.jpg", NOW, sandbox.config)
    sandbox.table.put_item(Item=dict(row, image_id=FIXTURE_ID))

    answer = call(load_event(fixture))

    assert answer.status == status


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/images", "GET, OPTIONS"),
        ("POST", "/images", "GET, OPTIONS"),
        ("DELETE", "/images", "GET, OPTIONS"),
        ("HEAD", "/images", "GET, OPTIONS"),
        ("PATCH", f"/images/{FIXTURE_ID}", "DELETE, GET, OPTIONS"),
        ("PUT", "/images/anything", "DELETE, GET, OPTIONS"),
        ("POST", f"/images/{FIXTURE_ID}", "DELETE, GET, OPTIONS"),
        ("GET", "/uploads", "OPTIONS, POST"),
        ("DELETE", "/uploads", "OPTIONS, POST"),
    ],
)
def test_wrong_method_is_405_with_allow(
    sandbox: Sandbox, method: str, path: str, allow: str
) -> None:
    answer = request(method, path)

    assert answer.status == 405
    assert answer.headers["Allow"] == allow
    assert answer.body["error"]["code"] == "method_not_allowed"
    assert answer.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "path", ["/", "/thumbnails", "/images/a/b", "/images/", "/uploads/x", "/IMAGES", "/images.json"]
)
def test_unknown_path_is_404_json(sandbox: Sandbox, path: str) -> None:
    answer = request("GET", path)

    assert answer.status == 404
    assert answer.body == {"error": {"code": "not_found", "message": "no such route."}}
    assert answer.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "image_id", [FIXTURE_ID, FIXTURE_ID.upper(), "short", "0" * 33, "%2e%2e", "a b"]
)
def test_unknown_or_malformed_image_id_is_404(sandbox: Sandbox, image_id: str) -> None:
    answer = request("GET", f"/images/{image_id}")

    assert answer.status == 404
    assert answer.body["error"]["code"] == "not_found"


def test_get_image_answers_one_item(sandbox: Sandbox) -> None:
    row = make_row("uploads/one/photo.jpg", NOW, sandbox.config)
    sandbox.table.put_item(Item=row)

    answer = request("GET", f"/images/{row['image_id']}")

    assert answer.status == 200
    assert answer.body["image_id"] == row["image_id"]
    assert answer.body["status"] == "ready"


def test_stage_prefix_in_the_path_is_ignored(sandbox: Sandbox) -> None:
    event = make_event("GET", "/prod/images")
    event["requestContext"]["stage"] = "prod"

    answer = call(event)

    assert answer.status == 200


def test_preflight_answers_204_with_cors_for_an_allowed_origin(sandbox: Sandbox) -> None:
    answer = call(load_event("http_options_preflight.json"))

    assert answer.status == 204
    assert answer.body is None
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert answer.headers["Access-Control-Allow-Methods"] == "DELETE,GET,OPTIONS,POST"
    assert "Content-Type" in answer.headers["Access-Control-Allow-Headers"].split(",")
    assert answer.headers["Access-Control-Max-Age"] == "600"


def test_preflight_from_another_origin_gets_no_cors_grant(sandbox: Sandbox) -> None:
    answer = request("OPTIONS", "/uploads", origin="https://evil.example")

    assert "Access-Control-Allow-Origin" not in answer.headers


def test_second_allowed_origin_is_echoed(sandbox: Sandbox) -> None:
    answer = request("GET", "/images", origin=OTHER_ORIGIN)

    assert answer.headers["Access-Control-Allow-Origin"] == OTHER_ORIGIN


def test_request_without_origin_gets_no_cors_headers(sandbox: Sandbox) -> None:
    answer = request("GET", "/images", origin=None)

    assert answer.status == 200
    assert not [name for name in answer.headers if name.startswith("Access-Control-")]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/images", 200),
        ("GET", "/nowhere", 404),
        ("GET", f"/images/{FIXTURE_ID}", 404),
        ("PUT", "/images", 405),
        ("OPTIONS", "/images", 204),
    ],
)
def test_every_answer_has_cors_and_no_store(
    sandbox: Sandbox, method: str, path: str, status: int
) -> None:
    answer = request(method, path)

    assert answer.status == status
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Vary"] == "Origin"


def test_unexpected_failure_is_a_generic_500_with_cors(
    sandbox: Sandbox, api_logs: LogCapture
) -> None:
    _break_table(sandbox)

    answer = request("GET", "/images")

    assert answer.status == 500
    assert answer.body == GENERIC_500
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "boom" not in answer.raw["body"]


def test_unexpected_failure_is_logged_once_with_the_exception(
    sandbox: Sandbox, api_logs: LogCapture
) -> None:
    _break_table(sandbox)

    request("GET", f"/images/{FIXTURE_ID}")

    errors = [entry for entry in api_logs.entries if entry["level"] == "ERROR"]
    assert len(errors) == 1
    assert errors[0]["message"] == "request failed"
    assert "RuntimeError: boom: internal detail" in errors[0]["exception"]
    assert errors[0]["image_id"] == FIXTURE_ID


def test_malformed_event_is_a_generic_500(sandbox: Sandbox, api_logs: LogCapture) -> None:
    raw = api.handler({"rawPath": "/images"}, FakeLambdaContext())

    assert raw["statusCode"] == 500
    assert json.loads(raw["body"]) == GENERIC_500
    assert raw["headers"]["Content-Type"] == "application/json"
    assert [entry["message"] for entry in api_logs.entries] == ["request failed", "request served"]


def test_one_info_line_per_request_with_method_route_status_and_duration(
    sandbox: Sandbox, api_logs: LogCapture
) -> None:
    row = make_row("uploads/one/photo.jpg", NOW, sandbox.config)
    sandbox.table.put_item(Item=row)

    request("GET", f"/images/{row['image_id']}")
    request("PUT", "/images")

    first, second = _info_lines(api_logs)
    assert first["message"] == "request served"
    assert (first["method"], first["route"], first["status_code"]) == ("GET", "/images/{id}", 200)
    assert first["image_id"] == row["image_id"]
    assert isinstance(first["duration_ms"], float)
    assert first["duration_ms"] >= 0
    assert (second["method"], second["route"], second["status_code"]) == ("PUT", "/images", 405)
    assert second["error_code"] == "method_not_allowed"
    assert "image_id" not in second


def test_log_line_names_unmatched_routes_without_the_path(
    sandbox: Sandbox, api_logs: LogCapture
) -> None:
    request("GET", "/secret-path")

    (line,) = _info_lines(api_logs)
    assert line["route"] == "unmatched"
    assert "secret-path" not in api_logs.lines[0]


def test_logs_never_contain_presigned_urls(sandbox: Sandbox, api_logs: LogCapture) -> None:
    store_rows(sandbox.table, 3, sandbox.config)

    request("GET", "/images")
    request("POST", "/uploads", body='{"filename": "a.jpg", "content_type": "image/jpeg"}')

    assert len(_info_lines(api_logs)) == 2
    for line in api_logs.lines:
        assert "X-Amz-" not in line
        assert "x-amz-signature" not in line
        assert "policy" not in line


def test_log_line_carries_the_lambda_context(sandbox: Sandbox, api_logs: LogCapture) -> None:
    request("GET", "/images")

    (line,) = _info_lines(api_logs)
    assert line["function_name"] == "image-api"
    assert line["function_request_id"] == FakeLambdaContext.aws_request_id
    assert line["correlation_id"] == "Zq1xYhXyIAMEVhQ="


def test_without_allowed_origins_no_cors_headers_are_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    aws_environment(monkeypatch)
    with mock_aws():
        open_sandbox(make_config(PIPELINE_ALLOWED_ORIGINS=""))

        answer = request("GET", "/images")
        preflight = request("OPTIONS", "/images")

    api.use_services(None)
    assert answer.status == 200
    assert "Access-Control-Allow-Origin" not in answer.headers
    assert preflight.status == 204
    assert preflight.headers["Allow"] == "GET, OPTIONS"


def test_services_are_built_once_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    aws_environment(monkeypatch)
    monkeypatch.setenv("PIPELINE_TABLE_NAME", "gallery_rows")
    monkeypatch.setenv("PIPELINE_PUBLIC_ENDPOINT_URL", "http://127.0.0.1:14566")
    loads: list[str] = []
    real_load_config = api.load_config

    def counting_load_config() -> Any:
        loads.append("load")
        return real_load_config()

    monkeypatch.setattr(api, "load_config", counting_load_config)
    api.use_services(None)
    with mock_aws():
        create_table(make_config(PIPELINE_TABLE_NAME="gallery_rows"))
        first = request("GET", "/images")
        second = request("GET", "/images")

    api.use_services(None)
    assert (first.status, second.status) == (200, 200)
    assert loads == ["load"]
