"""Shared test set-up: where the end-to-end and browser suites run, and their one pipeline.

By default a MiniStack with access control enforced (AUTH=true) starts on a
free loopback port, so it never collides with a running sandbox and refuses
what AWS would refuse. `--endpoint URL` points the suites at a running
emulator (a compose LocalStack), `--target aws` at real AWS. Unit tests never
ask for the pipeline, so they start nothing.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# No test may ever reach a cloud metadata address, whatever the defaults say.
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

from scripts import emulator
from tests.support.sandbox import (
    EMULATOR_VENV,
    Pipeline,
    embedded_emulator,
    provision_pipeline,
    settings_for,
    teardown_pipeline,
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--endpoint",
        default=os.environ.get("PIPELINE_E2E_ENDPOINT"),
        help="run e2e tests against an emulator already answering here (LocalStack, compose); "
        "default: start an embedded MiniStack on a free loopback port",
    )
    parser.addoption(
        "--target",
        choices=["local", "aws"],
        default=os.environ.get("PIPELINE_E2E_TARGET", "local"),
        help="aws: run e2e tests against real AWS with the ambient credentials",
    )


@pytest.fixture(scope="session")
def pipeline(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    """The pipeline every end-to-end and browser test shares, torn down at the end."""
    work_dir = tmp_path_factory.mktemp("pipeline")
    target = request.config.getoption("--target")
    endpoint = request.config.getoption("--endpoint")

    if target == "aws" or endpoint:
        # A running stack may need its own modes (LocalStack's free image needs
        # PIPELINE_BUNDLE_DEPENDENCIES and PIPELINE_API_FRONT): honour the shell's.
        chosen = {k: v for k, v in os.environ.items() if k.startswith("PIPELINE_")}
        built = provision_pipeline(settings_for(target, endpoint, work_dir, overrides=chosen))
        yield built
        teardown_pipeline(built)
        return

    with embedded_emulator(work_dir) as (endpoint_url, paths):
        runtime = emulator.python_runtime(paths)
        built = provision_pipeline(settings_for("local", endpoint_url, work_dir, runtime=runtime))
        built.emulator_paths = paths
        yield built
        teardown_pipeline(built)


@pytest.fixture(scope="session")
def emulator_python() -> Path:
    return EMULATOR_VENV / "bin" / "python"
