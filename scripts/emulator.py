"""The embedded AWS emulator: MiniStack installed, started, health-checked and stopped.

MiniStack runs the Lambda functions with its own interpreter and whatever is
installed beside it, so it lives in a virtual environment of its own that holds
only MiniStack and the boto3 matching its botocore pin (the part of the Lambda
runtime our functions may rely on). Pillow is never installed there: a missing
dependency layer must fail here as it would on AWS.
"""

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scripts.processes import read_pid as read_background_pid
from scripts.processes import start_background, stop_background

MINISTACK_VERSION = "1.5.33"
BOTO3_VERSION = "1.43.106"
EMULATOR_PACKAGES = (f"ministack=={MINISTACK_VERSION}", f"boto3=={BOTO3_VERSION}")

HEALTH_PATH = "/_localstack/health"
START_TIMEOUT_S = 60.0


class EmulatorError(RuntimeError):
    """The emulator could not be installed, started or stopped."""


@dataclass(frozen=True)
class EmulatorPaths:
    """Where one emulator instance keeps its virtual environment, data and log."""

    venv_dir: Path
    data_dir: Path

    @property
    def python(self) -> Path:
        return self.venv_dir / "bin" / "python"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "ministack.pid"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "ministack.log"


def is_answering(endpoint_url: str, timeout_s: float = 1.0) -> bool:
    """Tell whether an emulator (MiniStack or LocalStack) answers its health check."""
    try:
        with urllib.request.urlopen(endpoint_url + HEALTH_PATH, timeout=timeout_s) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def install(venv_dir: Path, report: Callable[[str], None] = print) -> None:
    """Create the emulator's virtual environment with the pinned packages, once."""
    marker = venv_dir / "installed.json"
    if marker.exists() and json.loads(marker.read_text()) == list(EMULATOR_PACKAGES):
        return

    report(f"installing MiniStack {MINISTACK_VERSION} into {venv_dir}")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv_dir)], check=True)
    pip = [str(venv_dir / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    result = subprocess.run([*pip, *EMULATOR_PACKAGES], capture_output=True, text=True)
    if result.returncode != 0:
        raise EmulatorError(f"pip could not install MiniStack: {result.stderr.strip()[-500:]}")

    marker.write_text(json.dumps(list(EMULATOR_PACKAGES)))


def python_runtime(paths: EmulatorPaths) -> str:
    """Name the Lambda runtime MiniStack really executes: the version of its own Python."""
    version = subprocess.run(
        [
            str(paths.python),
            "-c",
            "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return f"python{version}"


def _clean_environment(paths: EmulatorPaths, port: int, enforce_auth: bool) -> dict[str, str]:
    """Build the emulator's whole environment; nothing of the caller's leaks into the functions."""
    tmp_dir = paths.data_dir / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": f"{paths.venv_dir / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(paths.data_dir),
        "TMPDIR": str(tmp_dir),
        "LANG": "C.UTF-8",
        "GATEWAY_PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "MINISTACK_HOST": "localhost",
        "AUTH": "true" if enforce_auth else "false",
        "PERSIST_STATE": "1",
        "S3_PERSIST": "1",
        "STATE_DIR": str(paths.data_dir / "state"),
        "S3_DATA_DIR": str(paths.data_dir / "s3"),
        "LOG_LEVEL": "INFO",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def start(paths: EmulatorPaths, port: int, enforce_auth: bool = False) -> int:
    """Start MiniStack on 127.0.0.1:`port` in the background; return its process id once healthy."""
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    environment = _clean_environment(paths, port, enforce_auth)
    # hypercorn in one process (--workers 0), unlike MiniStack's own foreground
    # mode, answers SIGTERM with an orderly ASGI shutdown, which is when
    # MiniStack writes its state to disk.
    command = [
        str(paths.python),
        "-m",
        "hypercorn",
        "ministack.app:app",
        "--bind",
        f"127.0.0.1:{port}",
        "--keep-alive",
        "75",
        "--workers",
        "0",
    ]
    pid = start_background(command, environment, paths.data_dir, paths.log_file, paths.pid_file)

    endpoint_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if read_pid(paths) is None:
            raise EmulatorError(f"MiniStack exited at start; see {paths.log_file}")
        if is_answering(endpoint_url):
            return pid
        time.sleep(0.2)
    stop(paths)
    raise EmulatorError(
        f"MiniStack gave no answer in {START_TIMEOUT_S:.0f} s; see {paths.log_file}"
    )


def read_pid(paths: EmulatorPaths) -> int | None:
    """Return the process id of the running emulator we started, if it is still alive."""
    return read_background_pid(paths.pid_file)


def stop(paths: EmulatorPaths) -> bool:
    """Stop the emulator we started (SIGTERM, so it saves its state); False if none was running."""
    return stop_background(paths.pid_file)
