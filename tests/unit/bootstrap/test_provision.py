"""provision.py on the aws target without credentials: one clear line, no traceback, no traffic."""

import subprocess
import sys
from pathlib import Path

import pytest

from bootstrap.settings import PROJECT_ROOT

NO_CREDENTIALS = (
    "error: no AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY (see 'aws configure')"
)
NO_PROFILE = (
    "error: AWS profile 'nowhere' not found: "
    "run 'aws configure --profile NAME' or unset AWS_PROFILE"
)


def _isolated_environment(home: Path) -> dict[str, str]:
    """Build an environment in which botocore can find no credentials anywhere.

    No AWS_* keys; an empty HOME; config, credentials and boto files that do
    not exist; the instance metadata service disabled (botocore's
    InstanceMetadataFetcher then refuses before sending anything, and its
    ContainerProvider only looks when AWS_CONTAINER_CREDENTIALS_* are set).
    Whatever HTTP request might still be attempted goes to a closed loopback port.
    """
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(home / "missing-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "missing-credentials"),
        "BOTO_CONFIG": str(home / "missing-boto-config"),
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "PIPELINE_OUTPUTS_FILE": str(home / "outputs.json"),
        # A narrow terminal must not wrap the error over two lines.
        "COLUMNS": "40",
    }


@pytest.mark.parametrize(
    ("extra", "expected"),
    [({}, NO_CREDENTIALS), ({"AWS_PROFILE": "nowhere"}, NO_PROFILE)],
    ids=["no-credentials", "unknown-profile"],
)
def test_aws_dry_run_without_credentials_fails_with_one_line(
    tmp_path: Path, extra: dict[str, str], expected: str
) -> None:
    environment = {**_isolated_environment(tmp_path), **extra}

    result = subprocess.run(
        [sys.executable, "bootstrap/provision.py", "--target", "aws", "--dry-run"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 2
    assert result.stdout.splitlines() == [expected]
    assert result.stderr == ""
    assert not (tmp_path / "outputs.json").exists()
