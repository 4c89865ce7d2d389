"""Create or update every resource of the pipeline (reconcile, not replay).

    python bootstrap/provision.py [--target local|aws] [--trigger queue|direct] [--dry-run]

Reads what exists, prints what differs, applies it, writes the outputs file
and closes with a created / updated / unchanged table.
"""

import argparse
import sys
from pathlib import Path

# Run as a script (python bootstrap/provision.py): make the project importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console

from bootstrap.cli import add_common_arguments, make_context, resolve_settings, run_safely
from bootstrap.outputs import collect_outputs, write_outputs
from bootstrap.reconcile import reconcile, summary_table
from bootstrap.stack import pipeline_resources


def main(console: Console, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    parser.add_argument("--dry-run", action="store_true", help="only read and print the plan")
    arguments = parser.parse_args(argv)

    settings, aws = resolve_settings(arguments)
    where = settings.endpoint_url or f"AWS account {aws.account_id}"
    console.print(
        f"provisioning [bold]{settings.target}[/bold] ({where}, {settings.region}), "
        f"trigger {settings.trigger}, runtime {settings.lambda_runtime}/{settings.lambda_arch}"
    )

    ctx = make_context(settings, aws)
    outcomes = reconcile(pipeline_resources(settings), ctx, console, dry_run=arguments.dry_run)
    console.print(summary_table(outcomes, arguments.dry_run))
    if arguments.dry_run:
        return 0

    write_outputs(settings.outputs_file, collect_outputs(ctx))
    console.print(f"outputs written to {settings.outputs_file}")
    console.print(f"API: {ctx.values.get('api_url', '')}/images")
    return 0


if __name__ == "__main__":
    run_safely(main)
