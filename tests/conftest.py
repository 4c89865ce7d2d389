"""Options shared by every test folder: where the end-to-end suites run."""

import os

import pytest

# No test may ever reach a cloud metadata address, whatever the defaults say.
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")


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
