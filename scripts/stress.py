"""Stress the pipeline on an emulator of its own: bursts of uploads, faults, restart, hostile input.

    python3 scripts/dev.py stress [--uploads N] [--fuzz-executions N] [--keep]

Starts MiniStack (AUTH=true) on a free loopback port, never touching a running
sandbox, provisions with the bootstrap code, then: checks the empty listing;
sends the uploads in bursts while some reads are denied (transient and poison
faults), a message nobody can read waits in the queue and the emulator is
stopped (SIGTERM) and started again mid-burst; lifts the transient denial;
redrives the dead letters once their cause is fixed; reprocesses originals
whose event was lost; waits (bounded) until every stored object has exactly one
final row and thumbnail; checks GET /images at ten thousand rows; fuzzes the
thumbnail code meanwhile. Prints the tables, writes artifacts/stress/<run>/report.json
and exits non-zero when a promise was broken.
"""

import argparse
import shutil
import socket
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from bootstrap.aws import AwsClients
from bootstrap.provision import provision
from bootstrap.settings import SANDBOX_DIR, load_settings
from bootstrap.stack import role_name
from scripts import emulator
from scripts.reliability import recovery, replay, scenario
from scripts.reliability.clients import make_client
from scripts.reliability.context import StressContext, StressOptions
from scripts.reliability.memory import PeakMemorySampler
from scripts.reliability.report import StressReport, print_report, write_report

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = ROOT / "artifacts" / "stress"
EMULATOR_VENV = SANDBOX_DIR / "ministack" / "venv"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
SERVICES = ("s3", "dynamodb", "sqs", "iam", "logs", "lambda")

# A short processor timeout makes the queue's visibility timeout (six times it)
# 30 s, so retries and dead-lettering happen within the run. Small images need
# far less; the emulator counts the timeout from after the cold start.
PROVISION_OVERRIDES = {"PIPELINE_PROCESSOR_TIMEOUT_S": "5"}


def free_port() -> int:
    """Ask the kernel for a free loopback port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(options: StressOptions, work_dir: Path, console: Console, keep: bool) -> StressReport:
    """Start an emulator, provision, run every phase, stop the emulator; return the report."""
    started = time.monotonic()
    emulator.install(EMULATOR_VENV, report=console.print)
    paths = emulator.EmulatorPaths(
        venv_dir=EMULATOR_VENV.resolve(), data_dir=work_dir / "ministack"
    )
    port = free_port()
    with console.status(f"starting MiniStack on 127.0.0.1:{port}"):
        emulator.start(paths, port, enforce_auth=True)
    sampler = PeakMemorySampler(lambda: emulator.read_pid(paths))
    sampler.start()

    try:
        ctx = _provision(options, work_dir, console, paths, port)
        _run_phases(ctx)
        report = ctx.report
    finally:
        peak = sampler.stop()
        emulator.stop(paths)
        if not keep:
            shutil.rmtree(paths.data_dir, ignore_errors=True)

    report.emulator_peak_bytes = peak
    report.duration_s = round(time.monotonic() - started, 1)
    return report


def _provision(
    options: StressOptions,
    work_dir: Path,
    console: Console,
    paths: emulator.EmulatorPaths,
    port: int,
) -> StressContext:
    environ = {
        **PROVISION_OVERRIDES,
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "PIPELINE_OUTPUTS_FILE": str(work_dir / "outputs.json"),
    }
    settings = load_settings("local", environ, lambda_runtime=emulator.python_runtime(paths))
    with console.status("provisioning"):
        _, outputs = provision(settings, AwsClients(settings), Console(quiet=True))

    plain_outputs = dict(outputs)
    clients = {service: make_client(plain_outputs, service) for service in SERVICES}
    report = StressReport(settings={**vars(options), "corpus_dir": str(options.corpus_dir)})
    return StressContext(
        console=console,
        options=options,
        outputs=plain_outputs,
        clients=clients,
        paths=paths,
        port=port,
        role_name=role_name(settings.processor_function),
        run_prefix="stress/",
        findings_dir=work_dir / "findings",
        report=report,
    )


def _run_phases(ctx: StressContext) -> None:
    console = ctx.console
    steps = [
        ("empty listing", lambda: scenario.check_empty_listing(ctx)),
        ("outages begin", lambda: recovery.start_outages(ctx)),
        (
            f"{ctx.options.uploads} uploads in bursts, restart mid-way",
            lambda: scenario.send_load(ctx),
        ),
        ("transient denial", lambda: recovery.end_transient_outage(ctx)),
    ]
    for title, step in steps:
        _run_step(console, title, step)

    wait_for_fuzzing = scenario.start_fuzzing(ctx)
    later_steps = [
        ("poison messages and redrive", lambda: recovery.redrive_poison(ctx)),
        ("recovery by reprocess", lambda: recovery.reconcile(ctx)),
        ("duplicate and late events", lambda: replay.send_duplicate_and_late_events(ctx)),
        ("settling and audit", lambda: scenario.settle_and_audit(ctx)),
        ("rows after duplicate and late events", lambda: replay.check_replayed_rows(ctx)),
        (
            f"listing at {ctx.options.listing_rows} rows",
            lambda: scenario.check_listing_at_scale(ctx),
        ),
        ("fuzzing", wait_for_fuzzing),
    ]
    for title, step in later_steps:
        _run_step(console, title, step)

    report = ctx.report
    restart = report.faults.setdefault("emulator restart", {"summary": "no restart happened"})
    restart["uploads_retried"] = ctx.uploads_retried
    restart["ok"] = (
        bool(restart.get("stop_s") is not None) and report.lost == 0 and not report.not_stored
    )


def _run_step(console: Console, title: str, step: Callable[[], object]) -> None:
    started = time.monotonic()
    with console.status(title):
        step()
    console.print(f"{title}: done in {time.monotonic() - started:.0f} s")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the stress command; return 0 when every promise held."""
    args = _parse_args(argv)
    console = Console()
    corpus = None if args.no_corpus else args.corpus
    options = StressOptions(
        uploads=args.uploads,
        burst_size=args.burst,
        threads=args.threads,
        transient=args.transient,
        poison=args.poison,
        listing_rows=args.listing_rows,
        fuzz_executions=args.fuzz_executions,
        fuzz_seconds=args.fuzz_seconds,
        corpus_dir=corpus if corpus and corpus.is_dir() else None,
        rng_seed=args.seed,
        wait_s=args.wait_s,
    )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    work_dir = ARTIFACTS_DIR / stamp
    work_dir.mkdir(parents=True, exist_ok=True)

    report = run(options, work_dir, console, args.keep)
    print_report(report, console)
    report_path = work_dir / "report.json"
    write_report(report, report_path)
    console.print(f"report written to {report_path}")
    return 0 if report.is_clean else 1


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=1000, help="how many uploads")
    parser.add_argument("--burst", type=int, default=32, help="uploads per burst")
    parser.add_argument("--threads", type=int, default=16, help="upload threads")
    parser.add_argument("--transient", type=int, default=6, help="uploads denied for a while")
    parser.add_argument("--poison", type=int, default=2, help="uploads denied until dead-lettered")
    parser.add_argument(
        "--listing-rows", type=int, default=10_000, help="rows for the listing check"
    )
    parser.add_argument("--fuzz-executions", type=int, default=20_000, help="fuzzer inputs at most")
    parser.add_argument("--fuzz-seconds", type=float, default=150.0, help="fuzzer time budget")
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="seed images (read in place)"
    )
    parser.add_argument("--no-corpus", action="store_true", help="fuzz drawn images only")
    parser.add_argument("--seed", type=int, default=1, help="fuzzer random seed")
    parser.add_argument("--wait-s", type=float, default=240.0, help="bound of each wait")
    parser.add_argument("--keep", action="store_true", help="keep the emulator's data afterwards")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
