"""Unit tests reach no server: boto3 must not follow an endpoint from the caller's shell.

boto3 reads AWS_ENDPOINT_URL (and the per-service AWS_ENDPOINT_URL_<SERVICE>)
by itself, so a developer who exported it for the sandbox would send the moto
tests' calls to a live emulator instead of moto.
"""

import os

import pytest


@pytest.fixture(autouse=True)
def _no_ambient_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in list(os.environ):
        if variable.startswith("AWS_ENDPOINT_URL"):
            monkeypatch.delenv(variable)
