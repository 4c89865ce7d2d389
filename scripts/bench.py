"""Benchmark ours against the tutorial and libvips: `python3 scripts/dev.py bench`.

Compute, end to end, GET /images and cold start, side by side in one run, on
emulators of its own; see docs/performance.md. Writes artifacts/bench/ (JSON, PNG).
"""

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from bootstrap.settings import PROJECT_ROOT, load_settings
from scripts import emulator
from scripts.benchmarks import chart, coldstart, compute, emulated, machine, report
from tests.support.sandbox import EMULATOR_VENV

OUTPUT_DIR = PROJECT_ROOT / "artifacts" / "bench"
SECTIONS = ("compute", "e2e", "api", "cold")
TIME_BUDGET_S = 600
CAPTURED_WIDTH = 170


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections to run, by name")
    parser.add_argument("--runs", type=int, default=5, help="compute runs per worker process")
    parser.add_argument("--rounds", type=int, default=2, help="worker processes per compute case")
    parser.add_argument("--uploads", type=int, default=200, help="uploads of the queue burst")
    parser.add_argument(
        "--small-uploads",
        type=int,
        default=24,
        help="uploads of the small bursts, for both triggers (direct: one worker per event)",
    )
    parser.add_argument("--paced-uploads", type=int, default=30, help="uploads of paced phases")
    parser.add_argument("--pace", type=float, default=5.0, help="uploads per second when paced")
    parser.add_argument("--threads", type=int, default=8, help="concurrent uploads")
    parser.add_argument("--sizes", default="100,1000,10000", help="table sizes for the API pages")
    parser.add_argument(
        "--repeats", type=int, default=5, help="repeats per API and cold start figure"
    )
    parser.add_argument(
        "--queue-only",
        action="store_true",
        help="end to end: skip the direct-trigger phases (the tutorial's and ours)",
    )
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="PIPELINE_NAME=VALUE",
        help="override one of our pipeline's settings (repeatable), e.g. PIPELINE_BATCH_SIZE=10",
    )
    parser.add_argument("--output", type=Path, default=OUTPUT_DIR)
    return parser.parse_args(argv)


def _run_section(
    name: str,
    action: Callable[[], dict[str, Any]],
    results: dict[str, Any],
    console: Console,
) -> None:
    """Run one section into `results[name]`; a failure is recorded and the next section runs."""
    started = time.monotonic()
    try:
        results[name] = action()
    except Exception as exc:  # one broken section must not cost the others' figures
        results.setdefault("errors", {})[name] = f"{type(exc).__name__}: {exc}"
        console.print(f"[red]{name} failed:[/red] {type(exc).__name__}: {exc}")
    results["section_seconds"][name] = round(time.monotonic() - started, 1)


def run(arguments: argparse.Namespace, console: Console) -> dict[str, Any]:
    """Run the chosen sections and return everything measured."""
    chosen = set(arguments.only.split(","))
    unknown = chosen - set(SECTIONS)
    if unknown:
        raise SystemExit(f"--only takes {', '.join(SECTIONS)}, not {', '.join(sorted(unknown))}")

    def say(line: str) -> None:
        console.print(f"[dim]{line}[/dim]")

    results: dict[str, Any] = {
        "machine": machine.describe(PROJECT_ROOT),
        "arguments": {name: str(value) for name, value in vars(arguments).items()},
        "section_seconds": {},
    }
    settings = _settings(arguments)
    sizes = tuple(int(size) for size in arguments.sizes.split(","))
    sections: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
        "compute": (
            "compute",
            lambda: compute.run(
                arguments.output / "inputs", PROJECT_ROOT, arguments.runs, arguments.rounds, say
            ),
        ),
        "e2e": ("end_to_end", lambda: _end_to_end(arguments, say)),
        "api": ("api", lambda: emulated.run_api(sizes, arguments.repeats, settings, say)),
        "cold": ("cold_start", lambda: _cold_start(arguments, say)),
    }

    if {"e2e", "api", "cold"} & chosen:
        emulator.install(EMULATOR_VENV, report=say)
    for option in SECTIONS:
        if option in chosen:
            name, action = sections[option]
            _run_section(name, action, results, console)
    return results


def _end_to_end(arguments: argparse.Namespace, say: Callable[[str], None]) -> dict[str, Any]:
    section = emulated.run_end_to_end(_end_to_end_plan(arguments), say)
    section["ratios"] = report.end_to_end_ratios(section)
    return section


def _end_to_end_plan(arguments: argparse.Namespace) -> emulated.EndToEndPlan:
    return emulated.EndToEndPlan(
        uploads=arguments.uploads,
        small_uploads=arguments.small_uploads,
        paced_uploads=arguments.paced_uploads,
        pace_per_s=arguments.pace,
        threads=arguments.threads,
        settings=_settings(arguments),
        with_direct=not arguments.queue_only,
    )


def _settings(arguments: argparse.Namespace) -> dict[str, str]:
    pairs = [setting.split("=", 1) for setting in arguments.setting]
    if any(len(pair) != 2 or not pair[0].startswith("PIPELINE_") for pair in pairs):
        raise SystemExit("--setting takes PIPELINE_NAME=VALUE")
    return dict(pairs)


def _cold_start(arguments: argparse.Namespace, say: Callable[[str], None]) -> dict[str, Any]:
    paths = emulator.EmulatorPaths(venv_dir=EMULATOR_VENV.resolve(), data_dir=arguments.output)
    runtime = emulator.python_runtime(paths)
    settings = load_settings("local", {}, lambda_runtime=runtime)
    return coldstart.run(paths.python, runtime, settings.lambda_arch, arguments.repeats, say)


def main(argv: list[str]) -> int:
    arguments = _parse(argv)
    # Wide enough for the tables when the output goes to a file or a pipe.
    console = Console() if sys.stdout.isatty() else Console(width=CAPTURED_WIDTH)
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    started = time.monotonic()

    results = run(arguments, console)
    results["total_seconds"] = round(time.monotonic() - started, 1)
    results["machine"]["load_average_at_end"] = [round(load, 2) for load in os.getloadavg()]

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    json_path = arguments.output / f"bench-{stamp}.json"
    png_path = arguments.output / f"bench-{stamp}.png"
    report.write_json(json_path, results)
    report.write_json(arguments.output / "latest.json", results)
    chart.draw(png_path, results)
    chart.draw(arguments.output / "latest.png", results)

    report.print_tables(console, results)
    console.print(
        f"total {results['total_seconds']:.0f} s (sections: {results['section_seconds']})"
    )
    if results["total_seconds"] > TIME_BUDGET_S:
        console.print(f"[yellow]over the {TIME_BUDGET_S} s budget on this machine[/yellow]")
    console.print(f"wrote {json_path} and {png_path}")
    failed = sorted(results.get("errors", {}))
    if failed:
        console.print(f"[red]failed sections: {', '.join(failed)}[/red]")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
