"""What provision.py and teardown.py share: arguments, settings resolution and error reporting."""

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from bootstrap.aws import AwsClients, MissingCredentialsError
from bootstrap.packaging import PackagingError
from bootstrap.reconcile import Context, ProvisioningError
from bootstrap.settings import SANDBOX_DIR, Settings, Target, load_settings

EMBEDDED_EMULATOR_PYTHON = SANDBOX_DIR / "ministack" / "venv" / "bin" / "python"


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --target and --trigger, shared by both commands."""
    parser.add_argument(
        "--target",
        choices=["local", "aws"],
        default=None,
        help="local: the emulator at AWS_ENDPOINT_URL (default); aws: real AWS",
    )
    parser.add_argument(
        "--trigger",
        choices=["queue", "direct"],
        default=None,
        help="S3 → SQS → Lambda (default) or the tutorial's S3 → Lambda",
    )


def _is_ministack(endpoint_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint_url}/_ministack/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _embedded_runtime() -> str | None:
    """Name the Python that MiniStack runs functions with, when it is our embedded one."""
    if not EMBEDDED_EMULATOR_PYTHON.exists():
        return None
    version = os.path.basename(os.path.realpath(EMBEDDED_EMULATOR_PYTHON))
    return version if version.startswith("python3.") else None


def resolve_settings(arguments: argparse.Namespace) -> tuple[Settings, AwsClients]:
    """Build the settings for the chosen target, with the account-specific parts filled in."""
    environ = dict(os.environ)
    target: Target = arguments.target or (
        "aws" if environ.get("PIPELINE_TARGET") == "aws" else "local"
    )
    if arguments.trigger:
        environ["PIPELINE_TRIGGER"] = arguments.trigger

    settings = load_settings(target, environ)
    if target == "local" and settings.endpoint_url and _is_ministack(settings.endpoint_url):
        settings = load_settings(target, environ, lambda_runtime=_embedded_runtime())
    aws = AwsClients(settings)

    # Bucket names are global on AWS: prefix ours with the account id unless told otherwise.
    if target == "aws" and "PIPELINE_NAME_PREFIX" not in environ:
        environ["PIPELINE_NAME_PREFIX"] = f"{aws.account_id}-"
        settings = load_settings(target, environ)
        aws = AwsClients(settings)
    return settings, aws


def make_context(settings: Settings, aws: AwsClients) -> Context:
    return Context(settings=settings, aws=aws)


def run_safely(main: Callable[[Console], int]) -> None:
    """Run a command; turn every expected failure into one line and a non-zero exit."""
    console = Console(stderr=False)
    try:
        sys.exit(main(console))
    except (MissingCredentialsError, ProvisioningError, PackagingError) as exc:
        # soft_wrap: one line whatever the terminal's width, so scripts can read it.
        console.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True, highlight=False)
    except KeyboardInterrupt:
        console.print("interrupted")
    sys.exit(2)


def print_json(path: Path) -> str:
    return json.dumps(json.loads(path.read_text()), indent=2)
