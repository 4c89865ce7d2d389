"""A disposable pipeline for end-to-end tests: own emulator, provisioned by the bootstrap code."""

import json
import socket
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from rich.console import Console

from bootstrap.aws import AwsClients
from bootstrap.provision import provision
from bootstrap.settings import SANDBOX_DIR, Settings, Target, load_settings
from bootstrap.teardown import remove_everything
from scripts import emulator

EMULATOR_VENV = SANDBOX_DIR / "ministack" / "venv"
T = TypeVar("T")


def free_port() -> int:
    """Ask the kernel for a free loopback port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Pipeline:
    """A provisioned pipeline and clients that reach it."""

    settings: Settings
    aws: AwsClients
    outputs: dict[str, Any]
    emulator_paths: emulator.EmulatorPaths | None

    def client(self, service: str) -> Any:
        return self.aws.client(service)

    @property
    def api_url(self) -> str:
        return str(self.outputs["api_url"])

    def http(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """Call the HTTP API with a plain HTTP client; return status, headers and body."""
        request = urllib.request.Request(
            self.api_url + path, data=body, method=method, headers=headers or {}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def get_json(self, path: str) -> tuple[int, Any]:
        status, _, body = self.http("GET", path)
        return status, json.loads(body)


def wait_for(
    probe: Callable[[], T | None],
    timeout_s: float = 60.0,
    interval_s: float = 0.25,
    what: str = "condition",
) -> T:
    """Poll `probe` until it returns something other than None, or fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(interval_s)


def settings_for(
    target: Target,
    endpoint_url: str | None,
    work_dir: Path,
    overrides: dict[str, str] | None = None,
    runtime: str | None = None,
) -> Settings:
    """Build test settings: the defaults, an endpoint, outputs in `work_dir`, and overrides."""
    environ = {"PIPELINE_OUTPUTS_FILE": str(work_dir / f"outputs-{target}.json")}
    if endpoint_url:
        environ["AWS_ENDPOINT_URL"] = endpoint_url
    environ.update(overrides or {})
    return load_settings(target, environ, lambda_runtime=runtime)


@contextmanager
def embedded_emulator(
    work_dir: Path, enforce_auth: bool = True
) -> Iterator[tuple[str, emulator.EmulatorPaths]]:
    """Start a MiniStack of our own on a free loopback port; stop it afterwards."""
    emulator.install(EMULATOR_VENV)
    paths = emulator.EmulatorPaths(
        venv_dir=EMULATOR_VENV.resolve(), data_dir=work_dir / "ministack"
    )
    port = free_port()
    emulator.start(paths, port, enforce_auth=enforce_auth)
    try:
        yield f"http://127.0.0.1:{port}", paths
    finally:
        emulator.stop(paths)


def provision_pipeline(settings: Settings) -> Pipeline:
    """Provision with the same code users run and return the pipeline."""
    aws = AwsClients(settings)
    _, outputs = provision(settings, aws, Console(quiet=True))
    return Pipeline(settings, aws, dict(outputs), None)


def teardown_pipeline(pipeline: Pipeline) -> list[str]:
    return remove_everything(pipeline.settings, pipeline.aws, Console(quiet=True))


def plain_s3_client(endpoint_url: str, region: str) -> Any:
    """An S3 client with no credentials at all, for what anonymous callers may (not) do."""
    from botocore import UNSIGNED

    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=region,
        config=Config(signature_version=UNSIGNED, s3={"addressing_style": "path"}),
    )
