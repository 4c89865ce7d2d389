"""One pipeline for the whole end-to-end run: its own emulator (or the one named), provisioned.

By default a MiniStack with access control enforced (AUTH=true) starts on a
free loopback port, so it never collides with a running sandbox and refuses
what AWS would refuse. `--endpoint URL` points the suite at a running
emulator (a compose LocalStack), `--target aws` at real AWS.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts import emulator
from tests.support.sandbox import (
    EMULATOR_VENV,
    Pipeline,
    embedded_emulator,
    provision_pipeline,
    settings_for,
    teardown_pipeline,
)


@pytest.fixture(scope="session")
def pipeline(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    work_dir = tmp_path_factory.mktemp("pipeline")
    target = request.config.getoption("--target")
    endpoint = request.config.getoption("--endpoint")

    if target == "aws" or endpoint:
        built = provision_pipeline(settings_for(target, endpoint, work_dir))
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
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e-work")


@pytest.fixture(scope="session")
def emulator_python() -> Path:
    return EMULATOR_VENV / "bin" / "python"
