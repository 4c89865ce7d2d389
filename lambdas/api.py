"""The image API Lambda behind an API Gateway HTTP API (payload format 2.0).

GET /images pages newest first, GET /images/{id} answers one image, POST /uploads
presigns a browser upload and records it as pending, DELETE /images/{id} removes
the original (the processor cleans up). Every answer is JSON with CORS headers
for the gallery, and every request leaves exactly one INFO log line.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import (
    APIGatewayHttpResolver,
    CORSConfig,
    Response,
    content_types,
)
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas import listing, removal, routing, uploads
from lambdas.config import FunctionConfig, load_config
from lambdas.errors import (
    INTERNAL_ERROR_CODE,
    INTERNAL_ERROR_MESSAGE,
    ApiError,
    ImageNotFoundError,
    MethodNotAllowedError,
    RouteNotFoundError,
    make_error_body,
)
from lambdas.items import make_item
from lambdas.links import LinkMaker, find_environment_endpoint, make_link_maker, make_s3_client

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table
    from mypy_boto3_s3 import S3Client

IMAGE_ID_PATTERN = re.compile(r"[0-9a-f]{32}")
CORS_MAX_AGE_S = 600

# Headers on every answer: bodies carry presigned URLs that must not be cached
# by shared caches, and the CORS headers depend on the request's Origin.
COMMON_HEADERS = {"Cache-Control": "no-store", "Vary": "Origin"}

logger = Logger()


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _new_token() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Services:
    """What the routes work with, built once per container; tests pass their own."""

    config: FunctionConfig
    table: Table
    s3: S3Client
    links: LinkMaker
    clock: Callable[[], datetime] = _utc_now
    make_token: Callable[[], str] = _new_token


def build_services(config: FunctionConfig, environ: Mapping[str, str]) -> Services:
    """Create the AWS clients for `config`; boto3 finds the endpoint and region in `environ`."""
    return Services(
        config=config,
        table=boto3.resource("dynamodb").Table(config.table_name),
        s3=make_s3_client(find_environment_endpoint(environ)),
        links=make_link_maker(config, environ),
    )


_services: Services | None = None
_app: APIGatewayHttpResolver | None = None


def get_services() -> Services:
    """Return the container's services, building them (and reading the config) on first use."""
    global _services
    if _services is None:
        _services = build_services(load_config(), os.environ)
    return _services


def use_services(services: Services | None) -> None:
    """Replace the container's services (None: build them again on next use)."""
    global _services, _app
    _services = services
    _app = None


def create_app(allowed_origins: tuple[str, ...]) -> APIGatewayHttpResolver:
    """Build the resolver with CORS for exactly `allowed_origins` (none: no CORS headers)."""
    cors = None
    if allowed_origins:
        cors = CORSConfig(
            allow_origin=allowed_origins[0],
            extra_origins=list(allowed_origins[1:]),
            max_age=CORS_MAX_AGE_S,
        )

    app = APIGatewayHttpResolver(cors=cors)
    app.get("/images")(list_images)
    app.get("/images/<image_id>")(get_image)
    app.post("/uploads")(create_upload)
    app.delete("/images/<image_id>")(delete_image)

    # Looked up by the exception's class hierarchy, most specific first.
    handlers: dict[type[Exception], Callable[..., Response[Any]]] = {
        ApiError: answer_api_error,
        NotFoundError: answer_unmatched,
        Exception: answer_unexpected,
    }
    app.exception_handler_manager.update_exception_handlers(handlers)
    return app


def get_app() -> APIGatewayHttpResolver:
    """Return the container's resolver, built from the configured origins on first use."""
    global _app
    if _app is None:
        _app = create_app(get_services().config.allowed_origins)
    return _app


def _current_event() -> APIGatewayProxyEventV2:
    return get_app().current_event


def _json(
    status_code: int, body: object, headers: Mapping[str, str] | None = None
) -> Response[Any]:
    return Response(
        status_code=status_code,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers=dict(headers or {}),
    )


def _read_row(services: Services, image_id: str) -> Mapping[str, Any]:
    # Ids are hex digests; anything else cannot name an image, so it is a 404
    # like an unknown id (documented in openapi/openapi.yaml).
    if not IMAGE_ID_PATTERN.fullmatch(image_id):
        raise ImageNotFoundError("no image has this id.")
    logger.append_keys(image_id=image_id)

    answer = services.table.get_item(Key={"image_id": image_id}, ConsistentRead=True)
    row = answer.get("Item")
    if row is None:
        raise ImageNotFoundError("no image has this id.")
    return row


def list_images() -> Response[Any]:
    """GET /images?limit=&cursor=: one page of images, newest first."""
    services = get_services()
    query = _current_event().query_string_parameters
    limit = listing.parse_limit(query.get("limit"))
    raw_cursor = query.get("cursor")
    before = None if raw_cursor is None else listing.decode_cursor(raw_cursor)

    page = listing.read_page(services.table, services.config.list_shards, limit, before)
    items = [make_item(row, services.config, services.links) for row in page.rows]
    return _json(200, {"items": items, "next_cursor": page.next_cursor})


def get_image(image_id: str) -> Response[Any]:
    """GET /images/{id}: one image, with fresh URLs."""
    services = get_services()
    row = _read_row(services, image_id)
    return _json(200, make_item(row, services.config, services.links))


def create_upload() -> Response[Any]:
    """POST /uploads: reserve a key, record a pending row and presign the browser's POST."""
    services = get_services()
    event = _current_event()
    request = uploads.parse_upload_request(event.body, bool(event.is_base64_encoded))
    uploads.check_upload_allowed(request, services.config.max_upload_bytes)

    ticket = uploads.create_upload(
        request,
        services.config,
        services.table,
        services.links.signer,
        now=services.clock(),
        token=services.make_token(),
    )
    logger.append_keys(image_id=ticket["image_id"])
    return _json(201, ticket)


def delete_image(image_id: str) -> Response[Any]:
    """DELETE /images/{id}: remove the original; the processor removes thumbnails and row."""
    services = get_services()
    row = _read_row(services, image_id)

    removal.remove_image(row, services.config.uploads_bucket, services.table, services.s3)
    return _json(202, {"image_id": image_id, "status": "deleting"})


def answer_api_error(error: ApiError) -> Response[Any]:
    """Answer a client mistake with its status and the JSON error body."""
    headers = {}
    if isinstance(error, MethodNotAllowedError):
        headers["Allow"] = ", ".join(error.allowed_methods)

    logger.append_keys(error_code=error.code)
    return _json(error.status_code, make_error_body(error.code, error.message), headers)


def answer_unmatched(_: NotFoundError) -> Response[Any]:
    """Tell an unknown path (404) from a known path with the wrong method (405 with Allow)."""
    method = _current_event().http_method.upper()
    route = routing.find_route(_current_event().path)
    if route is None or method in route.methods:
        return answer_api_error(RouteNotFoundError("no such route."))

    # OPTIONS reaches this point only when no origin is allowed (Powertools
    # answers preflights itself when CORS is configured).
    allowed = route.allowed_methods
    if method == "OPTIONS":
        return Response(status_code=204, body="", headers={"Allow": ", ".join(allowed)})
    error = MethodNotAllowedError(f"{route.template} accepts {', '.join(allowed)}.", allowed)
    return answer_api_error(error)


def answer_unexpected(error: Exception) -> Response[Any]:
    """Answer any other failure with a generic 500; the details go to the log only."""
    logger.exception("request failed", extra={"error_type": type(error).__name__})
    logger.append_keys(error_code=INTERNAL_ERROR_CODE)
    return _json(500, make_error_body(INTERNAL_ERROR_CODE, INTERNAL_ERROR_MESSAGE))


def _resolve(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Failures inside a route reach answer_unexpected (with CORS); this catches
    # the rest, such as a malformed event or an unreadable configuration.
    try:
        return get_app().resolve(event, context)
    except Exception:
        logger.exception("request failed")
        logger.append_keys(error_code=INTERNAL_ERROR_CODE)
        body = make_error_body(INTERNAL_ERROR_CODE, INTERNAL_ERROR_MESSAGE)
        headers = {"Content-Type": content_types.APPLICATION_JSON}
        return {"statusCode": 500, "headers": headers, "body": json.dumps(body)}


@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True
)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Serve one HTTP API request and log its outcome in one line (never its URLs)."""
    started = time.perf_counter()
    response = _resolve(event, context)

    headers = response.setdefault("headers", {})
    headers.update(COMMON_HEADERS)

    method, route = routing.describe_request(event)
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    status = {"method": method, "route": route, "status_code": response["statusCode"]}
    logger.info("request served", extra={**status, "duration_ms": duration_ms})
    return response
