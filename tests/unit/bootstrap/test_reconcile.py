"""The reconcile loop against moto: create, nothing to do, a targeted update, then gone."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws
from rich.console import Console

from bootstrap.aws import AwsClients
from bootstrap.provision import provision
from bootstrap.reconcile import NOT_USED, Outcome, summary_table
from bootstrap.settings import Settings, load_settings
from bootstrap.teardown import remove_everything


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    environ = {
        "AWS_ENDPOINT_URL": "",
        "PIPELINE_OUTPUTS_FILE": str(tmp_path / "outputs.json"),
        "PIPELINE_LAMBDA_RUNTIME": "python3.12",
        "PIPELINE_LAMBDA_ARCH": "x86_64",
    }
    return load_settings("local", environ)


@pytest.fixture
def aws(settings: Settings) -> Iterator[AwsClients]:
    with mock_aws():
        yield AwsClients(settings)


def _actions(settings: Settings, aws: AwsClients) -> dict[str, str]:
    outcomes, _ = provision(settings, aws, Console(quiet=True))
    return {f"{o.kind} {o.name}": o.action for o in outcomes}


def test_first_run_creates_and_second_run_changes_nothing(
    settings: Settings, aws: AwsClients
) -> None:
    first = _actions(settings, aws)
    second = _actions(settings, aws)

    assert set(first.values()) == {"create", "unchanged"}
    assert first["Lambda function image-processor"] == "create"
    assert set(second.values()) == {"unchanged"}
    assert settings.outputs_file.exists()


def test_changed_setting_updates_only_the_functions(settings: Settings, aws: AwsClients) -> None:
    _actions(settings, aws)
    changed = load_settings(
        "local",
        {
            "AWS_ENDPOINT_URL": "",
            "PIPELINE_OUTPUTS_FILE": str(settings.outputs_file),
            "PIPELINE_LAMBDA_RUNTIME": "python3.12",
            "PIPELINE_LAMBDA_ARCH": "x86_64",
            "PIPELINE_THUMBNAIL_SIZES": "200,800",
        },
    )

    actions = _actions(changed, AwsClients(changed))

    updated = sorted(name for name, action in actions.items() if action != "unchanged")
    assert updated == ["Lambda function image-api", "Lambda function image-processor"]


def test_teardown_leaves_nothing_behind(settings: Settings, aws: AwsClients) -> None:
    _actions(settings, aws)

    remove_everything(settings, aws, Console(quiet=True))

    assert aws.client("s3").list_buckets()["Buckets"] == []
    assert aws.client("dynamodb").list_tables()["TableNames"] == []
    assert aws.client("sqs").list_queues().get("QueueUrls", []) == []
    assert aws.client("lambda").list_functions()["Functions"] == []
    assert aws.client("iam").list_roles()["Roles"] == []
    assert aws.client("apigatewayv2").get_apis()["Items"] == []
    assert not settings.outputs_file.exists()


def test_summary_says_not_used_for_the_other_modes_resources() -> None:
    outcomes = [
        Outcome("S3 bucket", "uploads", "create", ()),
        Outcome("Lambda function", "api", "unchanged", ()),
        Outcome("HTTP API", "gallery-api", "unchanged", (NOT_USED,)),
    ]

    table = summary_table(outcomes, dry_run=False)

    assert table.caption == "1 created, 0 updated, 0 deleted, 1 unchanged, 1 not used"
    assert list(table.columns[2].cells) == ["created", "unchanged", "not used"]
