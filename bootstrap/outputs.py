"""The outputs file: what provisioning made, for the tests, scripts and gallery to read."""

import json
from pathlib import Path
from typing import Any, TypedDict

from bootstrap.reconcile import Context


class Outputs(TypedDict):
    """Everything a client needs to reach the deployed pipeline."""

    target: str
    region: str
    endpoint_url: str | None
    public_endpoint_url: str | None
    uploads_bucket: str
    thumbnails_bucket: str
    table_name: str
    queue_url: str | None
    dlq_url: str | None
    processor_function: str
    api_function: str
    api_id: str
    api_url: str
    trigger: str


def collect_outputs(ctx: Context) -> Outputs:
    """Gather the outputs from the settings and what the resources recorded."""
    settings = ctx.settings
    return Outputs(
        target=settings.target,
        region=settings.region,
        endpoint_url=settings.endpoint_url,
        public_endpoint_url=settings.public_endpoint_url,
        uploads_bucket=settings.uploads_bucket,
        thumbnails_bucket=settings.thumbnails_bucket,
        table_name=settings.table_name,
        queue_url=ctx.values.get(f"queue_url:{settings.queue_name}"),
        dlq_url=ctx.values.get(f"queue_url:{settings.dlq_name}"),
        processor_function=settings.processor_function,
        api_function=settings.api_function,
        api_id=ctx.values.get("api_id", ""),
        api_url=ctx.values.get("api_url", ""),
        trigger=settings.trigger,
    )


def write_outputs(path: Path, outputs: Outputs) -> None:
    """Write the outputs as JSON, atomically, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(outputs, indent=2) + "\n")
    partial.replace(path)


def read_outputs(path: Path) -> dict[str, Any]:
    """Read an outputs file written by provisioning."""
    return dict(json.loads(path.read_text()))
