"""Provisioning reconciles (a second run changes nothing) and teardown leaves nothing behind."""

import subprocess
from pathlib import Path
from typing import Any

from rich.console import Console

from bootstrap.provision import provision
from tests.support.sandbox import Pipeline, provision_pipeline, settings_for, teardown_pipeline

_DISPOSABLE_NAMES = {
    "PIPELINE_UPLOADS_BUCKET": "teardown-check-uploads",
    "PIPELINE_THUMBNAILS_BUCKET": "teardown-check-thumbnails",
    "PIPELINE_TABLE_NAME": "teardown_check_metadata",
    "PIPELINE_QUEUE_NAME": "teardown-check-queue",
    "PIPELINE_DLQ_NAME": "teardown-check-dlq",
    "PIPELINE_PROCESSOR_FUNCTION": "teardown-check-processor",
    "PIPELINE_API_FUNCTION": "teardown-check-api",
    "PIPELINE_API_NAME": "teardown-check-api",
    "PIPELINE_LAYER_NAME": "teardown-check-deps",
}


def test_second_provision_reports_every_resource_unchanged(pipeline: Pipeline) -> None:
    outcomes, outputs = provision(pipeline.settings, pipeline.aws, Console(quiet=True))

    changed = [(o.kind, o.name, o.action) for o in outcomes if o.action != "unchanged"]
    assert changed == []
    assert outputs["api_url"] == pipeline.outputs["api_url"]


def test_dry_run_reads_only(pipeline: Pipeline, tmp_path: Path) -> None:
    settings = settings_for(
        "local",
        pipeline.settings.endpoint_url,
        tmp_path,
        overrides={"PIPELINE_TABLE_NAME": "dry_run_only_table"},
        runtime=pipeline.settings.lambda_runtime,
    )
    outcomes, _ = provision(settings, pipeline.aws, Console(quiet=True), dry_run=True)

    planned = {(o.kind, o.action) for o in outcomes if o.action != "unchanged"}
    tables = pipeline.client("dynamodb").list_tables()["TableNames"]
    assert ("DynamoDB table", "create") in planned
    assert "dry_run_only_table" not in tables
    assert not settings.outputs_file.exists()


def _names_left(pipeline: Pipeline) -> dict[str, list[str]]:
    names = set(_DISPOSABLE_NAMES.values())
    lambda_client = pipeline.client("lambda")
    found: dict[str, list[Any]] = {
        "buckets": [b["Name"] for b in pipeline.client("s3").list_buckets()["Buckets"]],
        "tables": pipeline.client("dynamodb").list_tables()["TableNames"],
        "queues": [
            url.rsplit("/", 1)[-1]
            for url in pipeline.client("sqs").list_queues().get("QueueUrls", [])
        ],
        "roles": [
            r["RoleName"].removesuffix("-role")
            for r in pipeline.client("iam").list_roles()["Roles"]
        ],
        "functions": [f["FunctionName"] for f in lambda_client.list_functions()["Functions"]],
        "layers": [layer["LayerName"] for layer in lambda_client.list_layers()["Layers"]],
        "apis": [a["Name"] for a in pipeline.client("apigatewayv2").get_apis()["Items"]],
        "mappings": [
            m["FunctionArn"].rsplit(":", 1)[-1]
            for m in lambda_client.list_event_source_mappings()["EventSourceMappings"]
        ],
    }
    return {kind: sorted(set(values) & names) for kind, values in found.items()}


def test_teardown_removes_every_resource_it_made(pipeline: Pipeline, tmp_path: Path) -> None:
    settings = settings_for(
        "local",
        pipeline.settings.endpoint_url,
        tmp_path,
        overrides=_DISPOSABLE_NAMES,
        runtime=pipeline.settings.lambda_runtime,
    )
    disposable = provision_pipeline(settings)
    made = _names_left(disposable)

    deleted = teardown_pipeline(disposable)

    assert all(made[kind] for kind in made), made
    assert _names_left(disposable) == {kind: [] for kind in made}
    # 16 in the queue mode: the direct mode's invoke permission never existed.
    assert len(deleted) == 16
    assert pipeline.client("s3").head_bucket(Bucket=pipeline.outputs["uploads_bucket"])


def test_emulator_environment_has_no_pillow(emulator_python: Path) -> None:
    result = subprocess.run([str(emulator_python), "-c", "import PIL"], capture_output=True)

    assert result.returncode != 0
    assert b"No module named 'PIL'" in result.stderr
