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

from bootstrap.aws import AwsClients
from bootstrap.cli import add_common_arguments, make_context, resolve_settings, run_safely
from bootstrap.outputs import Outputs, collect_outputs, write_outputs
from bootstrap.reconcile import Outcome, reconcile, summary_table
from bootstrap.settings import Settings
from bootstrap.stack import pipeline_resources


def provision(
    settings: Settings, aws: AwsClients, console: Console, dry_run: bool = False
) -> tuple[list[Outcome], Outputs]:
    """Reconcile every resource; write the outputs file unless `dry_run`."""
    ctx = make_context(settings, aws)
    outcomes = reconcile(pipeline_resources(settings), ctx, console, dry_run=dry_run)
    outputs = collect_outputs(ctx)
    if not dry_run:
        write_outputs(settings.outputs_file, outputs)
    return outcomes, outputs


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

    outcomes, outputs = provision(settings, aws, console, dry_run=arguments.dry_run)
    console.print(summary_table(outcomes, arguments.dry_run))
    if not arguments.dry_run:
        console.print(f"outputs written to {settings.outputs_file}")
        console.print(f"API: {outputs['api_url']}/images")
    return 0


if __name__ == "__main__":
    run_safely(main)
