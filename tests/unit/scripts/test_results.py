"""Unit tests of scripts/results.py: outputs file in, a table of uploads out (moto, no server)."""

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from rich.console import Console

from scripts import results

REGION = "us-east-1"
TABLE = "image_metadata"


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "image_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "image_id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def put_row(dynamodb: Any, image_id: str, **attributes: str | int) -> None:
    item = {"image_id": {"S": image_id}}
    for name, value in attributes.items():
        item[name] = {"N": str(value)} if isinstance(value, int) else {"S": value}
    dynamodb.put_item(TableName=TABLE, Item=item)


def write_outputs(tmp_path: Path) -> Path:
    # No endpoint: the clients stay inside moto's mock, as on the aws target.
    outputs = {"region": REGION, "endpoint_url": None, "table_name": TABLE}
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    return path


def render(argv: list[str]) -> tuple[int, str]:
    console = Console(record=True, width=160)
    code = results.main(argv, console=console)
    return code, console.export_text()


def test_rows_are_listed_oldest_upload_first(dynamodb: Any, tmp_path: Path) -> None:
    put_row(
        dynamodb, "b", original_key="b.jpg", status="ready", uploaded_at="2024-05-02T00:00:00.000Z"
    )
    put_row(
        dynamodb, "a", original_key="a.jpg", status="ready", uploaded_at="2024-05-01T00:00:00.000Z"
    )

    rows = results.read_rows(dynamodb, TABLE)

    assert [row["original_key"] for row in rows] == ["a.jpg", "b.jpg"]


def test_table_shows_status_size_dimensions_and_reason(dynamodb: Any, tmp_path: Path) -> None:
    put_row(
        dynamodb,
        "a",
        original_key="photos/[red]holiday.jpg",
        status="ready",
        uploaded_at="2024-05-01T10:20:30.123Z",
        byte_size=48213,
        width=1800,
        height=1200,
    )
    put_row(
        dynamodb,
        "b",
        original_key="notes.txt",
        status="failed",
        uploaded_at="2024-05-01T10:25:00.000Z",
        byte_size=20,
        reason="the file is not an image in any supported format",
    )

    code, text = render(["--outputs", str(write_outputs(tmp_path))])

    assert code == 0
    body = [line for line in text.splitlines() if line.startswith("│")]
    cells = [[cell.strip() for cell in line.split("│")[1:-1]] for line in body]
    assert cells == [
        [
            "2024-05-01T10:20:30.123Z",
            "photos/[red]holiday.jpg",
            "ready",
            "48.2 kB",
            "1800×1200",
            "",
        ],
        [
            "2024-05-01T10:25:00.000Z",
            "notes.txt",
            "failed",
            "20 B",
            "",
            "the file is not an image in any supported format",
        ],
    ]


def test_missing_outputs_file_is_explained(tmp_path: Path) -> None:
    code, text = render(["--outputs", str(tmp_path / "absent.json")])

    assert code == 1
    assert "cannot read the outputs file" in text
    assert "provision first" in text


@pytest.mark.parametrize(
    ("byte_size", "expected"),
    [(None, ""), (812, "812 B"), (Decimal(48213), "48.2 kB"), (3_100_000, "3.1 MB")],
)
def test_sizes_are_formatted_for_people(byte_size: Decimal | int | None, expected: str) -> None:
    assert results.format_size(byte_size) == expected


def test_emulator_endpoint_gets_the_test_key_without_own_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    outputs = {"region": REGION, "endpoint_url": "http://127.0.0.1:4566", "table_name": TABLE}

    session = results.make_session(outputs)
    client = results.make_dynamodb_client(outputs)

    credentials = session.get_credentials()
    assert credentials is not None and credentials.access_key == "test"
    assert client.meta.endpoint_url == "http://127.0.0.1:4566"
