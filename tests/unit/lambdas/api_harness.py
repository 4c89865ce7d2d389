"""Shared set-up for the image API tests: moto-backed services, fixture events, log capture.

Imported explicitly by the API test modules (no conftest, so the processor's
tests in this folder stay independent).
"""

import base64
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from moto import mock_aws

from lambdas import api, records
from lambdas.config import FunctionConfig, load_config
from lambdas.links import make_link_maker

EVENTS_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "events"
ORIGIN = "http://localhost:3000"
OTHER_ORIGIN = "http://127.0.0.1:3000"
PUBLIC_ENDPOINT = "http://127.0.0.1:4566"
REGION = "us-east-1"
NOW = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)

BASE_ENVIRONMENT = {
    "PIPELINE_PUBLIC_ENDPOINT_URL": PUBLIC_ENDPOINT,
    "PIPELINE_ALLOWED_ORIGINS": f"{ORIGIN},{OTHER_ORIGIN}",
    "PIPELINE_THUMBNAIL_SIZES": "200,800",
    "PIPELINE_MAX_UPLOAD_BYTES": "1048576",
    "PIPELINE_URL_EXPIRY_S": "900",
}


def make_config(**variables: str) -> FunctionConfig:
    """Build the function config the tests use, with `variables` overriding the defaults."""
    return load_config({**BASE_ENVIRONMENT, **variables})


@dataclass
class FakeLambdaContext:
    """The attributes Powertools reads from a Lambda context."""

    function_name: str = "image-api"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:image-api"
    aws_request_id: str = "8d1e0f3c-2b4a-4c5d-9e6f-7a8b9c0d1e2f"


@dataclass
class TokenSequence:
    """Deterministic stand-in for uuid4().hex: 000…001, 000…002, …"""

    issued: int = 0

    def __call__(self) -> str:
        self.issued += 1
        return f"{self.issued:032x}"


@dataclass
class Answer:
    """A handler response, decoded."""

    status: int
    headers: dict[str, str]
    body: Any
    raw: dict[str, Any] = field(repr=False)


def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point boto3 at moto only: fake credentials, no endpoint, no metadata service."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(variable, raising=False)


def create_table(config: FunctionConfig) -> Any:
    """Create image_metadata with the newest_first index, as provisioning does."""
    dynamodb = boto3.resource("dynamodb", region_name=REGION)
    return dynamodb.create_table(
        TableName=config.table_name,
        KeySchema=[{"AttributeName": "image_id", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "image_id", "AttributeType": "S"},
            {"AttributeName": "list_shard", "AttributeType": "S"},
            {"AttributeName": "list_sort", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": records.LISTING_INDEX,
                "KeySchema": [
                    {"AttributeName": "list_shard", "KeyType": "HASH"},
                    {"AttributeName": "list_sort", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )


@dataclass
class Sandbox:
    """The moto world one test runs in, and the services the handler uses."""

    config: FunctionConfig
    table: Any
    s3: Any
    services: api.Services


def open_sandbox(config: FunctionConfig) -> Sandbox:
    """Create the table and both buckets in moto and install services for the handler."""
    table = create_table(config)
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=config.uploads_bucket)
    s3.create_bucket(Bucket=config.thumbnails_bucket)

    services = api.Services(
        config=config,
        table=table,
        s3=s3,
        links=make_link_maker(config, {}),
        clock=lambda: NOW,
        make_token=TokenSequence(),
    )
    api.use_services(services)
    return Sandbox(config=config, table=table, s3=s3, services=services)


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """A fresh moto world with the default test config, torn down after the test."""
    aws_environment(monkeypatch)
    with mock_aws():
        yield open_sandbox(make_config())
    api.use_services(None)


def load_event(name: str) -> dict[str, Any]:
    """Read a sample HTTP API event from tests/fixtures/events."""
    return json.loads((EVENTS_DIR / name).read_text())


def make_event(
    method: str,
    path: str,
    *,
    query: dict[str, str] | None = None,
    body: str | bytes | None = None,
    origin: str | None = ORIGIN,
) -> dict[str, Any]:
    """Build a payload 2.0 event for a catch-all ($default) route from the GET sample."""
    event = load_event("http_get_images.json")
    event["routeKey"] = event["requestContext"]["routeKey"] = "$default"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["rawQueryString"] = urlencode(query or {})
    event.pop("queryStringParameters", None)
    if query:
        event["queryStringParameters"] = dict(query)

    event["headers"].pop("origin")
    if origin is not None:
        event["headers"]["origin"] = origin
    if isinstance(body, bytes):
        event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    elif body is not None:
        event["body"] = body
    return event


def call(event: dict[str, Any]) -> Answer:
    """Invoke the handler and decode its answer."""
    raw = api.handler(event, FakeLambdaContext())
    text = raw.get("body") or ""
    body = json.loads(text) if text else None
    return Answer(status=raw["statusCode"], headers=raw.get("headers", {}), body=body, raw=raw)


def request(method: str, path: str, **kwargs: Any) -> Answer:
    """Build an event and invoke the handler with it."""
    return call(make_event(method, path, **kwargs))


def make_row(
    key: str,
    uploaded_at: datetime,
    config: FunctionConfig,
    *,
    status: str = "ready",
) -> dict[str, Any]:
    """Build a stored row as the processor writes it, numbers as DynamoDB Decimals."""
    image_id = records.make_image_id(config.uploads_bucket, key)
    stamp = uploaded_at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    shard, sort = records.make_listing_keys(image_id, stamp, config.list_shards)
    row: dict[str, Any] = {
        "image_id": image_id,
        "bucket": config.uploads_bucket,
        "original_key": key,
        "name": key.rsplit("/", 1)[-1],
        "status": status,
        "uploaded_at": stamp,
        "list_shard": shard,
        "list_sort": sort,
    }
    if status == "ready":
        row.update(_ready_attributes(image_id))
    if status == "failed":
        row.update({"reason": "not an image Pillow can read", "processed_at": stamp})
    return row


def _ready_attributes(image_id: str) -> dict[str, Any]:
    renditions = [
        {
            "key": records.make_thumbnail_key(image_id, edge),
            "max_edge": Decimal(edge),
            "width": Decimal(edge),
            "height": Decimal(edge * 2 // 3),
            "byte_size": Decimal(4000),
        }
        for edge in (800, 200)
    ]
    return {
        "thumbnail_key": records.make_thumbnail_key(image_id, 200),
        "renditions": renditions,
        "width": Decimal(1800),
        "height": Decimal(1200),
        "format": "JPEG",
        "byte_size": Decimal(523_116),
        "content_type": "image/jpeg",
        "processed_at": "2024-05-01T12:00:02.000Z",
        "sequencer": records.pad_sequencer("0066323E40ABCDEF01"),
    }


def store_rows(
    table: Any, count: int, config: FunctionConfig, start: datetime = NOW, folder: str = "uploads"
) -> list[str]:
    """Store `count` ready rows one second apart under `folder`; return their ids newest first."""
    rows = [
        make_row(f"{folder}/{index:04d}/photo.jpg", start + timedelta(seconds=index), config)
        for index in range(count)
    ]
    with table.batch_writer() as batch:
        for row in rows:
            batch.put_item(Item=row)
    return [row["image_id"] for row in reversed(rows)]


class LogCapture(logging.Handler):
    """Collects the API logger's JSON lines, formatted exactly as Lambda would print them."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.setFormatter(api.logger.registered_formatter)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    @property
    def entries(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]


@pytest.fixture
def api_logs() -> Iterator[LogCapture]:
    """Capture what the API logger writes during the test."""
    capture = LogCapture()
    api.logger.addHandler(capture)
    yield capture
    api.logger.removeHandler(capture)
