"""Remove every resource that provisioning made, and nothing else.

    python bootstrap/teardown.py [--target local|aws]

Deletes in reverse order of creation, by the names in the settings, including
the resources of both trigger modes.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console

from bootstrap.aws import AwsClients
from bootstrap.cli import add_common_arguments, make_context, resolve_settings, run_safely
from bootstrap.reconcile import teardown
from bootstrap.settings import Settings
from bootstrap.stack import pipeline_resources


def remove_everything(settings: Settings, aws: AwsClients, console: Console) -> list[str]:
    """Delete every resource of the pipeline and the outputs file; return what existed."""
    deleted = teardown(pipeline_resources(settings), make_context(settings, aws), console)
    settings.outputs_file.unlink(missing_ok=True)
    return deleted


def main(console: Console, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    arguments = parser.parse_args(argv)

    settings, aws = resolve_settings(arguments)
    console.print(
        f"tearing down [bold]{settings.target}[/bold] "
        f"({settings.endpoint_url or 'AWS'}, {settings.region})"
    )
    deleted = remove_everything(settings, aws, console)
    console.print(f"{len(deleted)} resources deleted")
    return 0


if __name__ == "__main__":
    run_safely(main)
