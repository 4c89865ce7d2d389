"""Show what the pipeline made of every upload: one line per original, oldest upload first.

    python -m scripts.results [--outputs .sandbox/outputs-local.json]

Reads the outputs file that provisioning wrote (region, endpoint, table name)
and scans the image_metadata table; a quick look after `aws s3 cp`.
"""

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bootstrap.aws import EMULATOR_CREDENTIALS
from bootstrap.settings import SANDBOX_DIR

DEFAULT_OUTPUTS = SANDBOX_DIR / "outputs-local.json"
STATUS_STYLES = {"ready": "green", "failed": "red", "pending": "yellow"}


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    """Print the results table; return the process exit code."""
    args = _parse_args(argv)
    console = console or Console()
    try:
        outputs = load_outputs(args.outputs)
    except (OSError, ValueError, KeyError) as exc:
        console.print(f"cannot read the outputs file {args.outputs}: {exc}")
        console.print("provision first: python3 scripts/dev.py up")
        return 1

    dynamodb = make_dynamodb_client(outputs)
    rows = read_rows(dynamodb, outputs["table_name"])
    console.print(build_table(rows))
    return 0


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("PIPELINE_OUTPUTS_FILE") or DEFAULT_OUTPUTS
    parser.add_argument("--outputs", type=Path, default=Path(default), help="outputs file")
    return parser.parse_args(argv)


def load_outputs(path: Path) -> dict[str, Any]:
    """Read the outputs file; raises OSError, ValueError or KeyError when unusable."""
    outputs: dict[str, Any] = json.loads(path.read_text())
    for name in ("region", "table_name"):
        if not outputs.get(name):
            raise KeyError(f"{name} is missing")
    return outputs


def make_dynamodb_client(outputs: Mapping[str, Any]) -> Any:
    """Build a DynamoDB client for the outputs' region and endpoint (none on AWS)."""
    endpoint_url = outputs.get("endpoint_url") or None
    return make_session(outputs).client("dynamodb", endpoint_url=endpoint_url)


def make_session(outputs: Mapping[str, Any]) -> boto3.Session:
    """Open a session in the outputs' region; an emulator gets the test key unless you set one."""
    has_own_keys = bool(os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE"))
    if outputs.get("endpoint_url") and not has_own_keys:
        return boto3.Session(
            region_name=outputs["region"],
            aws_access_key_id=EMULATOR_CREDENTIALS["aws_access_key_id"],
            aws_secret_access_key=EMULATOR_CREDENTIALS["aws_secret_access_key"],
        )
    return boto3.Session(region_name=outputs["region"])


def read_rows(dynamodb: Any, table_name: str) -> list[dict[str, Any]]:
    """Scan every row of the table, oldest upload first."""
    deserializer = TypeDeserializer()
    rows = [
        {name: deserializer.deserialize(value) for name, value in item.items()}
        for page in dynamodb.get_paginator("scan").paginate(TableName=table_name)
        for item in page.get("Items", [])
    ]
    return sorted(rows, key=lambda row: (row.get("uploaded_at", ""), row.get("original_key", "")))


def build_table(rows: Sequence[Mapping[str, Any]]) -> Table:
    """Lay the rows out as original key → status, size, dimensions, reason."""
    table = Table(title=f"{len(rows)} uploads", title_justify="left")
    for column in ("uploaded at", "original key", "status", "size", "dimensions", "reason"):
        table.add_column(column, justify="right" if column == "size" else "left")

    # Text cells, not markup: a key like "[red]x.jpg" is shown as typed.
    for row in rows:
        status = str(row.get("status", "?"))
        table.add_row(
            Text(str(row.get("uploaded_at", ""))),
            Text(str(row.get("original_key", ""))),
            Text(status, style=STATUS_STYLES.get(status, "")),
            Text(format_size(row.get("byte_size"))),
            Text(format_dimensions(row.get("width"), row.get("height"))),
            Text(str(row.get("reason", ""))),
        )
    return table


def format_size(byte_size: Decimal | int | None) -> str:
    """Format a byte count for people: `812 B`, `48.2 kB`, `3.1 MB`."""
    if byte_size is None:
        return ""
    size = int(byte_size)
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1_000_000:.1f} MB"


def format_dimensions(width: Decimal | int | None, height: Decimal | int | None) -> str:
    """Format `width×height`, or nothing when the row has no size."""
    if width is None or height is None:
        return ""
    return f"{int(width)}×{int(height)}"


if __name__ == "__main__":
    sys.exit(main())
