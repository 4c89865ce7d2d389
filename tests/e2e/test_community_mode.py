"""Community mode end to end: bundled dependencies and a function URL, in the session's emulator.

A disposable pipeline with its own names runs beside the session's one, with
PIPELINE_BUNDLE_DEPENDENCIES and PIPELINE_API_FRONT=function-url: an upload
becomes `ready` (so Pillow came from the code package: the functions have no
layer and the emulator's Python has none) and is listed over plain HTTP.
"""

import json
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from rich.console import Console

from bootstrap.provision import provision
from bootstrap.resources.function_url import function_url_api_url
from lambdas.records import make_image_id
from tests.support.corpus import corpus_file
from tests.support.sandbox import (
    Pipeline,
    provision_pipeline,
    settings_for,
    teardown_pipeline,
    wait_for,
)

ORIGIN = "http://localhost:3000"
_COMMUNITY = {
    "PIPELINE_BUNDLE_DEPENDENCIES": "true",
    "PIPELINE_API_FRONT": "function-url",
    "PIPELINE_UPLOADS_BUCKET": "community-check-uploads",
    "PIPELINE_THUMBNAILS_BUCKET": "community-check-thumbnails",
    "PIPELINE_TABLE_NAME": "community_check_metadata",
    "PIPELINE_QUEUE_NAME": "community-check-queue",
    "PIPELINE_DLQ_NAME": "community-check-dlq",
    "PIPELINE_PROCESSOR_FUNCTION": "community-check-processor",
    "PIPELINE_API_FUNCTION": "community-check-api",
    "PIPELINE_API_NAME": "community-check-http-api",
    "PIPELINE_LAYER_NAME": "community-check-deps",
}


@pytest.fixture(scope="module")
def community(pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    """The disposable community-mode pipeline, torn down after the module's tests."""
    overrides = dict(_COMMUNITY)
    if pipeline.settings.target == "aws":
        overrides["PIPELINE_NAME_PREFIX"] = f"{pipeline.aws.account_id}-"
    settings = settings_for(
        pipeline.settings.target,
        pipeline.settings.endpoint_url,
        tmp_path_factory.mktemp("community"),
        overrides=overrides,
        runtime=pipeline.settings.lambda_runtime,
    )
    built = provision_pipeline(settings)
    yield built
    teardown_pipeline(built)


def _http(
    pipeline: Pipeline, method: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Call the API over plain HTTP, with no name lookup beyond the endpoint's.

    LocalStack's function URL names a host under localhost.localstack.cloud,
    which only public DNS resolves (to 127.0.0.1): such a request goes to the
    endpoint instead, with the URL's host in the Host header, which is how
    LocalStack routes it. MiniStack's path form already points at the endpoint.
    """
    url = urlsplit(pipeline.api_url + path)
    endpoint = pipeline.settings.endpoint_url
    sent_headers = dict(headers or {})
    if endpoint and url.hostname != urlsplit(endpoint).hostname:
        sent_headers["Host"] = url.netloc
        url = url._replace(scheme="http", netloc=urlsplit(endpoint).netloc)

    request = urllib.request.Request(url.geturl(), method=method, headers=sent_headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _finished_row(community: Pipeline, image_id: str) -> dict[str, Any] | None:
    item = (
        community.client("dynamodb")
        .get_item(TableName=community.settings.table_name, Key={"image_id": {"S": image_id}})
        .get("Item")
    )
    if item and item["status"]["S"] in ("ready", "failed"):
        return dict(item)
    return None


def test_api_url_is_the_function_url_without_a_trailing_slash(community: Pipeline) -> None:
    function_url = community.client("lambda").get_function_url_config(
        FunctionName=community.settings.api_function
    )["FunctionUrl"]

    expected = function_url_api_url(community.settings.endpoint_url, function_url)
    assert community.api_url == expected
    assert community.outputs["api_id"] in function_url
    assert not community.api_url.endswith("/")


def test_functions_have_no_layer_and_no_http_api_or_layer_exists(community: Pipeline) -> None:
    lambda_client = community.client("lambda")
    names = (community.settings.processor_function, community.settings.api_function)

    layers = {
        name: lambda_client.get_function_configuration(FunctionName=name).get("Layers", [])
        for name in names
    }
    apis = [a["Name"] for a in community.client("apigatewayv2").get_apis()["Items"]]
    published = [layer["LayerName"] for layer in lambda_client.list_layers()["Layers"]]

    assert layers == {name: [] for name in names}
    assert community.settings.api_name not in apis
    assert community.settings.layer_name not in published


def test_second_provision_reports_every_resource_unchanged(community: Pipeline) -> None:
    outcomes, outputs = provision(community.settings, community.aws, Console(quiet=True))

    changed = [(o.kind, o.name, o.action) for o in outcomes if o.action != "unchanged"]
    assert changed == []
    assert outputs["api_url"] == community.api_url


def test_upload_is_processed_with_the_bundled_pillow_and_listed_over_http(
    community: Pipeline, emulator_python: Path
) -> None:
    bucket = community.settings.uploads_bucket
    key = "community/Landscape 1.jpg"
    image_id = make_image_id(bucket, key)

    community.client("s3").upload_file(str(corpus_file("exif-Landscape_1.jpg")), bucket, key)
    row = wait_for(lambda: _finished_row(community, image_id), what=f"row of {key}")
    status, headers, body = _http(community, "GET", "/images?limit=100", {"Origin": ORIGIN})

    no_pillow = subprocess.run([str(emulator_python), "-c", "import PIL"], capture_output=True)
    assert b"No module named 'PIL'" in no_pillow.stderr
    assert row["status"]["S"] == "ready"
    assert (row["width"]["N"], row["height"]["N"]) == ("1800", "1200")
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == ORIGIN
    listed = [item for item in json.loads(body)["items"] if item["image_id"] == image_id]
    assert [(item["status"], item["width"], item["height"]) for item in listed] == [
        ("ready", 1800, 1200)
    ]


def test_preflight_reaches_the_function_which_answers_cors(community: Pipeline) -> None:
    request_headers = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}

    status, headers, _ = _http(community, "OPTIONS", "/uploads", request_headers)

    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in headers["Access-Control-Allow-Methods"]


def test_unknown_path_gets_the_functions_json_404(community: Pipeline) -> None:
    status, _, body = _http(community, "GET", "/thumbnails")

    assert status == 404
    assert json.loads(body) == {"error": {"code": "not_found", "message": "no such route."}}


def test_teardown_removes_the_url_its_permissions_and_every_function(
    community: Pipeline,
) -> None:
    lambda_client = community.client("lambda")
    names = {community.settings.processor_function, community.settings.api_function}

    deleted = teardown_pipeline(community)

    functions = {f["FunctionName"] for f in lambda_client.list_functions()["Functions"]}
    assert f"Lambda function URL {community.settings.api_function}" in deleted
    assert f"Lambda function {community.settings.api_function}" in deleted
    assert not functions & names
    buckets = {b["Name"] for b in community.client("s3").list_buckets()["Buckets"]}
    assert community.settings.uploads_bucket not in buckets
