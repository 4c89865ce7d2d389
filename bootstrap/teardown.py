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

from bootstrap.cli import add_common_arguments, make_context, resolve_settings, run_safely
from bootstrap.reconcile import teardown
from bootstrap.stack import pipeline_resources


def main(console: Console, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    arguments = parser.parse_args(argv)

    settings, aws = resolve_settings(arguments)
    console.print(
        f"tearing down [bold]{settings.target}[/bold] "
        f"({settings.endpoint_url or 'AWS'}, {settings.region})"
    )
    ctx = make_context(settings, aws)
    deleted = teardown(pipeline_resources(settings), ctx, console)
    settings.outputs_file.unlink(missing_ok=True)
    console.print(f"{len(deleted)} resources deleted")
    return 0


if __name__ == "__main__":
    run_safely(main)
