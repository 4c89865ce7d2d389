"""push_gallery_image.py without a usable Docker: one clear line, a non-zero exit, no AWS call."""

import subprocess
import sys
from pathlib import Path

from bootstrap.settings import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "push_gallery_image.py"


def _run_script(path: str, home: Path) -> subprocess.CompletedProcess[str]:
    # No AWS credentials and a dead proxy: nothing may leave this machine.
    environment = {
        "PATH": path,
        "HOME": str(home),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(home / "missing-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "missing-credentials"),
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "COLUMNS": "40",
    }
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_docker_is_named_in_one_line(tmp_path: Path) -> None:
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()

    result = _run_script(str(empty_bin), tmp_path)

    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        "error: docker not found: building the gallery image needs Docker (Desktop or Engine)"
    ]
    assert result.stderr == ""


def test_docker_without_a_running_engine_is_named_in_one_line(tmp_path: Path) -> None:
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    docker = fake_bin / "docker"
    docker.write_text("#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n")
    docker.chmod(0o755)

    result = _run_script(f"{fake_bin}:/usr/bin:/bin", tmp_path)

    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        "error: the Docker engine is not running or not reachable: start Docker and retry"
    ]
    assert result.stderr == ""
