"""openapi/openapi.yaml stays true: a valid document, and real handler answers match it."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from lambdas import api, errors, routing, uploads
from tests.unit.lambdas.api_harness import (
    NOW,
    ORIGIN,
    FakeLambdaContext,
    Sandbox,
    call,
    load_event,
    make_event,
    make_row,
    sandbox,
    store_rows,
)
from tests.unit.openapi_contract import HTTP_METHODS, check_answer, load_document

__all__ = ["sandbox"]

UPLOAD_BODY = '{"filename": "a.jpg", "content_type": "image/jpeg", "size": 100}'
MISSING_ID = "0123456789abcdef0123456789abcdef"


class FailingTable:
    """A table whose every call fails, to drive the documented 500 answers."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def fail(**_: Any) -> Any:
            raise RuntimeError(f"{name} failed")

        return fail


def _store_one(sandbox: Sandbox) -> str:
    row = make_row("uploads/contract/photo.jpg", NOW, sandbox.config)
    sandbox.table.put_item(Item=row)
    sandbox.s3.put_object(Bucket="sample-image-uploads-bucket", Key=row["original_key"], Body=b"x")
    return str(row["image_id"])


def _store_many(sandbox: Sandbox) -> str:
    store_rows(sandbox.table, 5, sandbox.config)
    row = make_row("uploads/failed/x.jpg", NOW, sandbox.config, status="failed")
    sandbox.table.put_item(Item=row)
    pending = make_row("uploads/pending/y.jpg", NOW, sandbox.config, status="pending")
    sandbox.table.put_item(Item=pending)
    return MISSING_ID


def _break(sandbox: Sandbox) -> str:
    api.use_services(replace(sandbox.services, table=FailingTable()))
    return MISSING_ID


def _nothing(sandbox: Sandbox) -> str:
    return MISSING_ID


@dataclass(frozen=True)
class Case:
    """One request, the state it runs against, and the status it must get."""

    method: str
    path: str
    status: int
    prepare: Callable[[Sandbox], str] = _nothing
    query: dict[str, str] | None = None
    body: str | None = None


CASES = {
    "list": Case("GET", "/images", 200, _store_many, query={"limit": "3"}),
    "list-last-page": Case("GET", "/images", 200, _store_many, query={"limit": "100"}),
    "list-bad-limit": Case("GET", "/images", 400, query={"limit": "0"}),
    "list-bad-cursor": Case("GET", "/images", 400, query={"cursor": "!!"}),
    "list-failure": Case("GET", "/images", 500, _break),
    "list-preflight": Case("OPTIONS", "/images", 204),
    "list-wrong-method": Case("PUT", "/images", 405),
    "get": Case("GET", "/images/{id}", 200, _store_one),
    "get-missing": Case("GET", "/images/{id}", 404),
    "get-malformed": Case("GET", "/images/NOT-AN-ID", 404),
    "get-failure": Case("GET", "/images/{id}", 500, _break),
    "delete": Case("DELETE", "/images/{id}", 202, _store_one),
    "delete-missing": Case("DELETE", "/images/{id}", 404),
    "delete-failure": Case("DELETE", "/images/{id}", 500, _break),
    "image-preflight": Case("OPTIONS", "/images/{id}", 204),
    "image-wrong-method": Case("PATCH", "/images/{id}", 405),
    "upload": Case("POST", "/uploads", 201, body=UPLOAD_BODY),
    "upload-bad-body": Case("POST", "/uploads", 400, body="[]"),
    "upload-body-too-large": Case("POST", "/uploads", 413, body="x" * (uploads.MAX_BODY_BYTES + 1)),
    "upload-announced-too-large": Case(
        "POST",
        "/uploads",
        413,
        body='{"filename": "a.jpg", "content_type": "image/png", "size": 99999999999}',
    ),
    "upload-wrong-type": Case(
        "POST", "/uploads", 415, body='{"filename": "a.pdf", "content_type": "application/pdf"}'
    ),
    "upload-failure": Case("POST", "/uploads", 500, _break, body=UPLOAD_BODY),
    "upload-preflight": Case("OPTIONS", "/uploads", 204),
    "upload-wrong-method": Case("GET", "/uploads", 405),
    "unknown-path": Case("GET", "/albums", 404),
}


def _run(sandbox: Sandbox, case: Case, origin: str | None = ORIGIN) -> dict[str, Any]:
    image_id = case.prepare(sandbox)
    path = case.path.replace("{id}", image_id)
    event = make_event(case.method, path, query=case.query, body=case.body, origin=origin)
    raw = api.handler(event, FakeLambdaContext())
    check_answer(path, case.method, raw, origin_is_allowed=origin == ORIGIN)
    return raw


def test_document_is_valid_openapi() -> None:
    validate(load_document())


def test_every_component_schema_is_valid_json_schema() -> None:
    for schema in load_document()["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_document_lists_exactly_the_handlers_routes() -> None:
    documented = {
        (template, method.upper())
        for template, path_item in load_document()["paths"].items()
        for method in path_item
        if method in HTTP_METHODS and method != "options"
    }

    served = {(route.template, method) for route in routing.ROUTES for method in route.methods}
    assert documented == served


def test_every_path_documents_a_preflight() -> None:
    assert all("options" in item for item in load_document()["paths"].values())


def test_error_codes_in_the_document_match_the_error_classes() -> None:
    error_schema = load_document()["components"]["schemas"]["Error"]
    documented = set(error_schema["properties"]["error"]["properties"]["code"]["enum"])

    classes = [errors.ApiError, *errors.ApiError.__subclasses__()]
    assert documented == {cls.code for cls in classes} | {errors.INTERNAL_ERROR_CODE}


def test_documented_upload_types_are_the_accepted_ones() -> None:
    upload_request = load_document()["components"]["schemas"]["UploadRequest"]

    documented = upload_request["properties"]["content_type"]["enum"]

    assert documented == sorted(uploads.ALLOWED_CONTENT_TYPES)


def test_cases_cover_every_documented_status() -> None:
    documented = {
        (template, method.upper(), int(status))
        for template, path_item in load_document()["paths"].items()
        for method, operation in path_item.items()
        if method in HTTP_METHODS
        for status in operation["responses"]
    }

    covered = {
        (routing.find_route(case.path).template, case.method, case.status)  # type: ignore[union-attr]
        for case in CASES.values()
        if case.status != 405 and routing.find_route(case.path) is not None
    }
    assert documented == covered


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_answer_matches_the_document(sandbox: Sandbox, case: Case) -> None:
    raw = _run(sandbox, case)

    assert raw["statusCode"] == case.status


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_answer_to_a_foreign_origin_matches_the_document_without_cors(
    sandbox: Sandbox, case: Case
) -> None:
    raw = _run(sandbox, case, origin="https://elsewhere.example")

    assert raw["statusCode"] == case.status


@pytest.mark.parametrize(
    "fixture",
    [
        "http_get_images.json",
        "http_get_image.json",
        "http_post_uploads.json",
        "http_delete_image.json",
        "http_options_preflight.json",
        "http_put_images.json",
        "http_get_unknown.json",
    ],
)
def test_sample_event_answers_match_the_document(sandbox: Sandbox, fixture: str) -> None:
    event = load_event(fixture)

    raw = call(event).raw

    check_answer(event["rawPath"], event["requestContext"]["http"]["method"], raw, True)
