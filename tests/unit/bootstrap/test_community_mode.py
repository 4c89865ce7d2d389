"""Community mode: dependencies bundled into the code, a function URL instead of the HTTP API.

The bundle is checked with a small layer built in the test; the stack switch
runs the real provisioning against moto, in both directions and back.
"""

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest.mock import Mock, call

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from rich.console import Console

from bootstrap import packaging
from bootstrap.aws import AwsClients
from bootstrap.outputs import Outputs
from bootstrap.provision import provision
from bootstrap.reconcile import Change, Context
from bootstrap.resources.function_url import FunctionUrl, function_url_api_url
from bootstrap.settings import Settings, load_settings
from bootstrap.teardown import remove_everything

FAKE_LAYER_FILES = {
    "python/PIL/__init__.py": b"# Pillow stand-in\n",
    "python/PIL/_imaging.cpython-312-x86_64-linux-gnu.so": b"\x7fELF fake",
    "python/pillow.libs/libjpeg.so.62": b"\x7fELF jpeg",
    "python/aws_lambda_powertools/__init__.py": b"# Powertools stand-in\n",
}


def _write_zip(path: Path, files: dict[str, bytes]) -> packaging.Package:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("python/", b"")
        for name, data in files.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return packaging.Package(path, packaging._lambda_sha256(buffer.getvalue()))


@pytest.fixture
def build_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep the test's bundles out of the project's build cache."""
    monkeypatch.setattr(packaging, "BUILD_DIR", tmp_path / "build")
    return tmp_path / "build"


@pytest.fixture
def fake_layer(tmp_path: Path, build_dir: Path) -> packaging.Package:
    return _write_zip(tmp_path / "layer-0123456789abcdef.zip", FAKE_LAYER_FILES)


def _names(package: packaging.Package) -> list[str]:
    return zipfile.ZipFile(package.path).namelist()


def test_bundle_puts_the_layers_packages_at_the_root_beside_the_code(
    fake_layer: packaging.Package,
) -> None:
    bundle = packaging.bundle_with_code(fake_layer)

    names = _names(bundle)
    code_names = _names(packaging.build_code_package())
    assert sorted(set(names) - set(code_names)) == [
        "PIL/__init__.py",
        "PIL/_imaging.cpython-312-x86_64-linux-gnu.so",
        "aws_lambda_powertools/__init__.py",
        "pillow.libs/libjpeg.so.62",
    ]
    assert set(code_names) <= set(names)
    assert not any(name.startswith("python/") for name in names)


def test_bundle_keeps_every_file_byte_for_byte(fake_layer: packaging.Package) -> None:
    bundle = zipfile.ZipFile(packaging.bundle_with_code(fake_layer).path)

    assert bundle.read("PIL/_imaging.cpython-312-x86_64-linux-gnu.so") == b"\x7fELF fake"
    assert bundle.read("lambdas/records.py") == (packaging.CODE_DIR / "records.py").read_bytes()


def test_bundle_is_cached_beside_the_layer_by_its_fingerprint(
    fake_layer: packaging.Package, build_dir: Path
) -> None:
    bundle = packaging.bundle_with_code(fake_layer)

    assert bundle.path == build_dir / "bundle-0123456789abcdef.zip"
    assert sorted(path.name for path in build_dir.iterdir()) == ["bundle-0123456789abcdef.zip"]


def test_bundle_is_byte_for_byte_reproducible(
    fake_layer: packaging.Package, build_dir: Path
) -> None:
    first = packaging.bundle_with_code(fake_layer)
    first_bytes = first.read()
    first.path.unlink()

    rebuilt = packaging.bundle_with_code(fake_layer)
    reused = packaging.bundle_with_code(fake_layer)

    assert rebuilt.read() == first_bytes
    assert rebuilt.sha256 == reused.sha256 == first.sha256


def test_bundle_is_rebuilt_when_the_layer_changes(fake_layer: packaging.Package) -> None:
    first = packaging.bundle_with_code(fake_layer)
    changed_files = {**FAKE_LAYER_FILES, "python/PIL/__init__.py": b"# a newer Pillow\n"}
    changed = _write_zip(fake_layer.path, changed_files)

    second = packaging.bundle_with_code(changed)

    assert second.path == first.path
    assert second.sha256 != first.sha256
    assert zipfile.ZipFile(second.path).read("PIL/__init__.py") == b"# a newer Pillow\n"


def _settings(tmp_path: Path, **overrides: str) -> Settings:
    environ = {
        "AWS_ENDPOINT_URL": "",
        "PIPELINE_OUTPUTS_FILE": str(tmp_path / "outputs.json"),
        "PIPELINE_LAMBDA_RUNTIME": "python3.12",
        "PIPELINE_LAMBDA_ARCH": "x86_64",
        **overrides,
    }
    return load_settings("local", environ)


@pytest.fixture
def community(tmp_path: Path) -> Settings:
    return _settings(
        tmp_path, PIPELINE_BUNDLE_DEPENDENCIES="true", PIPELINE_API_FRONT="function-url"
    )


@pytest.fixture
def aws(community: Settings) -> Iterator[AwsClients]:
    with mock_aws():
        yield AwsClients(community)


def _provision(settings: Settings, aws: AwsClients) -> tuple[dict[str, str], Outputs]:
    outcomes, outputs = provision(settings, aws, Console(quiet=True))
    return {f"{o.kind} {o.name}": o.action for o in outcomes}, outputs


def _policy_statements(aws: AwsClients, function_name: str) -> dict[str, dict[str, Any]]:
    try:
        policy = aws.client("lambda").get_policy(FunctionName=function_name)["Policy"]
    except ClientError:
        return {}
    return {statement["Sid"]: statement for statement in json.loads(policy)["Statement"]}


def _layers_of(aws: AwsClients, function_name: str) -> list[str]:
    configuration = aws.client("lambda").get_function_configuration(FunctionName=function_name)
    return [layer["Arn"] for layer in configuration.get("Layers", [])]


def test_community_mode_gives_the_api_function_a_public_url_and_no_http_api(
    community: Settings, aws: AwsClients
) -> None:
    _provision(community, aws)

    url_config = aws.client("lambda").get_function_url_config(FunctionName="image-api")
    statements = _policy_statements(aws, "image-api")
    assert url_config["AuthType"] == "NONE"
    assert not url_config.get("Cors")
    assert sorted(statements) == ["function-url-invoke", "function-url-public"]
    assert statements["function-url-public"]["Action"] == "lambda:InvokeFunctionUrl"
    assert statements["function-url-invoke"]["Action"] == "lambda:InvokeFunction"
    assert {s["Principal"] for s in statements.values()} == {"*"}
    assert aws.client("apigatewayv2").get_apis()["Items"] == []


def test_community_mode_ships_the_dependencies_in_the_code_and_makes_no_layer(
    community: Settings, aws: AwsClients
) -> None:
    _provision(community, aws)

    lambda_client = aws.client("lambda")
    code = packaging.build_bundled_package("python3.12", "x86_64")
    configuration = lambda_client.get_function_configuration(FunctionName="image-processor")
    assert _layers_of(aws, "image-processor") == _layers_of(aws, "image-api") == []
    assert configuration["CodeSha256"] == code.sha256
    assert lambda_client.list_layers()["Layers"] == []


def test_community_mode_outputs_the_function_url_without_its_trailing_slash(
    community: Settings, aws: AwsClients
) -> None:
    _, outputs = _provision(community, aws)

    function_url = aws.client("lambda").get_function_url_config(FunctionName="image-api")
    assert outputs["api_url"] == function_url["FunctionUrl"].rstrip("/")
    assert outputs["api_id"] == function_url["FunctionUrl"].split("//")[1].split(".")[0]
    assert not outputs["api_url"].endswith("/")


def test_second_community_run_changes_nothing(community: Settings, aws: AwsClients) -> None:
    first, first_outputs = _provision(community, aws)
    second, second_outputs = _provision(community, aws)

    assert first["Lambda function URL image-api"] == "create"
    assert first["function URL permission image-api:function-url-public"] == "create"
    assert set(second.values()) == {"unchanged"}
    assert second_outputs["api_url"] == first_outputs["api_url"]


def test_switching_back_to_the_defaults_replaces_the_url_by_the_http_api(
    community: Settings, aws: AwsClients, tmp_path: Path
) -> None:
    _provision(community, aws)
    defaults = _settings(tmp_path)

    actions, outputs = _provision(defaults, AwsClients(defaults))

    assert actions["Lambda function URL image-api"] == "delete"
    assert actions["function URL permission image-api:function-url-public"] == "delete"
    assert actions["function URL permission image-api:function-url-invoke"] == "delete"
    assert actions["HTTP API image-gallery-api"] == "create"
    assert actions["Lambda layer image-pipeline-deps"] == "create"
    assert actions["Lambda function image-api"] == "update"
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        aws.client("lambda").get_function_url_config(FunctionName="image-api")
    assert sorted(_policy_statements(aws, "image-api")) == ["http-api"]
    assert len(_layers_of(aws, "image-api")) == 1
    assert outputs["api_url"].startswith("https://")
    assert "execute-api" in outputs["api_url"]


def test_switching_to_community_mode_removes_the_http_api_and_the_layer(
    community: Settings, aws: AwsClients, tmp_path: Path
) -> None:
    defaults = _settings(tmp_path)
    _provision(defaults, AwsClients(defaults))

    actions, _ = _provision(community, aws)
    again, _ = _provision(community, aws)

    assert actions["HTTP API image-gallery-api"] == "delete"
    assert actions["invoke permission image-api:http-api"] == "delete"
    assert actions["Lambda layer image-pipeline-deps"] == "delete"
    assert aws.client("apigatewayv2").get_apis()["Items"] == []
    assert aws.client("lambda").list_layers()["Layers"] == []
    assert set(again.values()) == {"unchanged"}


def test_teardown_of_community_mode_leaves_nothing_behind(
    community: Settings, aws: AwsClients
) -> None:
    _provision(community, aws)

    remove_everything(community, aws, Console(quiet=True))

    lambda_client = aws.client("lambda")
    assert lambda_client.list_functions()["Functions"] == []
    assert lambda_client.list_layers()["Layers"] == []
    assert aws.client("iam").list_roles()["Roles"] == []
    assert aws.client("s3").list_buckets()["Buckets"] == []
    assert aws.client("dynamodb").list_tables()["TableNames"] == []
    assert aws.client("sqs").list_queues().get("QueueUrls", []) == []
    assert not community.outputs_file.exists()


@pytest.mark.parametrize(
    ("endpoint_url", "function_url", "api_url"),
    [
        pytest.param(
            "http://127.0.0.1:4566",
            "https://0123456789abcdef0123456789abcdef.lambda-url.us-east-1.on.aws/",
            "http://127.0.0.1:4566/_aws/lambda-url/0123456789abcdef0123456789abcdef",
            id="ministack-path-form",
        ),
        pytest.param(
            "http://localstack:4566/",
            "http://image-api.lambda-url.us-east-1.localhost.localstack.cloud:4566/",
            "http://image-api.lambda-url.us-east-1.localhost.localstack.cloud:4566",
            id="localstack-kept",
        ),
        pytest.param(
            None,
            "https://0123456789abcdef0123456789abcdef.lambda-url.eu-west-1.on.aws/",
            "https://0123456789abcdef0123456789abcdef.lambda-url.eu-west-1.on.aws",
            id="aws-kept",
        ),
    ],
)
def test_api_url_is_one_clients_can_reach_without_a_trailing_slash(
    endpoint_url: str | None, function_url: str, api_url: str
) -> None:
    assert function_url_api_url(endpoint_url, function_url) == api_url


class _OneClient:
    """Stands in for AwsClients: one Lambda client and a fixed account."""

    account_id = "000000000000"

    def __init__(self, client: Any) -> None:
        self._client = client

    def client(self, service: str) -> Any:
        assert service == "lambda"
        return self._client


def test_on_an_emulator_the_function_is_tagged_with_its_url_id_before_the_url_exists(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path, AWS_ENDPOINT_URL="http://127.0.0.1:4566")
    real = boto3.client("lambda", region_name="us-east-1", endpoint_url="http://127.0.0.1:1")
    client = Mock(spec=real)
    client.create_function_url_config.return_value = {
        "FunctionUrl": "http://image-api.lambda-url.us-east-1.localhost.localstack.cloud:4566/"
    }
    ctx = Context(settings=settings, aws=_OneClient(client))  # type: ignore[arg-type]

    FunctionUrl("image-api").apply(ctx, Change("create"))

    assert client.method_calls == [
        call.tag_resource(
            Resource="arn:aws:lambda:us-east-1:000000000000:function:image-api",
            Tags={"_custom_id_": "image-api"},
        ),
        call.create_function_url_config(FunctionName="image-api", AuthType="NONE"),
    ]
    assert ctx.values["api_url"] == (
        "http://image-api.lambda-url.us-east-1.localhost.localstack.cloud:4566"
    )
