"""Check real handler answers against openapi/openapi.yaml: status, content type, headers, body.

Used by tests/unit/test_openapi.py and the property-based API tests, so the
document and the handler cannot drift apart unnoticed.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from lambdas import routing

DOCUMENT_PATH = Path(__file__).resolve().parents[2] / "openapi" / "openapi.yaml"
DOCUMENT_URI = "urn:image-api:openapi"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@cache
def load_document() -> dict[str, Any]:
    """Read the OpenAPI document (YAML anchors resolved)."""
    document: dict[str, Any] = yaml.safe_load(DOCUMENT_PATH.read_text())
    return document


@cache
def _registry() -> Registry:
    resource = Resource.from_contents(load_document(), default_specification=DRAFT202012)
    return Registry().with_resource(DOCUMENT_URI, resource)


def _pointer(*parts: str) -> str:
    escaped = (part.replace("~", "~0").replace("/", "~1") for part in parts)
    return "#/" + "/".join(escaped)


def _follow(reference: str) -> dict[str, Any]:
    target: Any = load_document()
    for part in reference.removeprefix("#/").split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return dict(target)


def _resolve(node: dict[str, Any], pointer: str) -> tuple[dict[str, Any], str]:
    """Follow a $ref if `node` is one; return the target and its pointer in the document."""
    reference = node.get("$ref")
    return (node, pointer) if reference is None else (_follow(reference), reference)


def find_response(path: str, method: str, status: int) -> tuple[dict[str, Any], str]:
    """Return the documented response for a request and its pointer in the document.

    Raises AssertionError when the document does not list this status for this
    request. OPTIONS on any path is a preflight (components/responses/Preflight),
    unknown paths use components/responses/NotFound, wrong methods
    components/responses/MethodNotAllowed.
    """
    route = routing.find_route(path)
    if method == "OPTIONS":
        assert status == 204, f"OPTIONS {path} is a preflight but answered {status}"
        return _resolve({"$ref": "#/components/responses/Preflight"}, "")
    if route is None:
        assert status == 404, f"{method} {path} is no documented path but answered {status}"
        return _resolve({"$ref": "#/components/responses/NotFound"}, "")

    path_item = load_document()["paths"][route.template]
    operation = path_item.get(method.lower())
    if operation is None:
        assert status == 405, f"{method} {route.template} is undocumented but answered {status}"
        return _resolve({"$ref": "#/components/responses/MethodNotAllowed"}, "")

    responses = operation["responses"]
    assert str(status) in responses, f"{method} {route.template} does not document {status}"
    pointer = _pointer("paths", route.template, method.lower(), "responses", str(status))
    return _resolve(responses[str(status)], pointer)


def _validator(pointer: str) -> Draft202012Validator:
    schema = {"$ref": f"{DOCUMENT_URI}{pointer}"}
    return Draft202012Validator(
        schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def schema_errors(instance: Any, pointer: str) -> list[str]:
    """Validate `instance` against the schema at `pointer`; return readable errors."""
    return [error.message for error in _validator(pointer).iter_errors(instance)]


def check_answer(path: str, method: str, raw: dict[str, Any], origin_is_allowed: bool) -> None:
    """Assert that a raw handler answer is what the document promises for this request."""
    status = raw["statusCode"]
    response, pointer = find_response(path, method, status)
    headers = raw.get("headers", {})

    _check_headers(response, headers, origin_is_allowed)

    content = response.get("content")
    if content is None:
        assert not raw.get("body"), f"{status} must have no body"
        return
    assert headers.get("Content-Type") == "application/json"
    body = json_body(raw)
    errors = schema_errors(body, f"{pointer}/content/application~1json/schema")
    assert not errors, f"{method} {path} -> {status}: {errors} in {body}"


def json_body(raw: dict[str, Any]) -> Any:
    """Decode the JSON body of a raw handler answer."""
    return json.loads(raw["body"])


def _check_headers(
    response: dict[str, Any], headers: dict[str, str], origin_is_allowed: bool
) -> None:
    documented = response.get("headers", {})
    has_cors = "Access-Control-Allow-Origin" in headers
    assert has_cors == origin_is_allowed, f"CORS header present: {has_cors}"
    for name, header in documented.items():
        spec, _ = _resolve(header, "")
        if spec.get("required"):
            assert name in headers, f"missing required header {name}"
        if name in headers and "const" in spec["schema"]:
            assert headers[name] == spec["schema"]["const"], f"{name}: {headers[name]}"
    for name in headers:
        if name.startswith("Access-Control-") or name in ("Allow", "Cache-Control", "Vary"):
            assert name in documented, f"undocumented header {name}"
