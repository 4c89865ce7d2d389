"""What every phase of the stress run shares: options, the deployed pipeline and its clients."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console

from scripts import emulator
from scripts.reliability import faults, load
from scripts.reliability.report import StressReport

T = TypeVar("T")


@dataclass(frozen=True)
class StressOptions:
    """How big the run is and how long each wait may last."""

    uploads: int = 1000
    burst_size: int = 32
    threads: int = 16
    invalid_every: int = 20
    api_every: int = 50
    transient: int = 6
    poison: int = 2
    listing_rows: int = 10_000
    fuzz_executions: int = 5000
    fuzz_seconds: float = 150.0
    corpus_dir: Path | None = None
    rng_seed: int = 1
    wait_s: float = 240.0


@dataclass
class StressContext:
    """What every phase works with: the deployed pipeline, its clients and the emulator."""

    console: Console
    options: StressOptions
    outputs: dict[str, Any]
    clients: dict[str, Any]
    paths: emulator.EmulatorPaths
    port: int
    role_name: str
    run_prefix: str
    findings_dir: Path
    report: StressReport = field(default_factory=StressReport)
    expected_ready: dict[str, bool] = field(default_factory=dict)
    uploads_retried: int = 0
    tickets_lost: int = 0
    replayed_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    replayed_since_ms: int = 0
    started_ms: int = field(default_factory=lambda: int(time.time() * 1000))

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.outputs['processor_function']}"

    def outage(self, fault: load.Fault) -> faults.AccessOutage:
        prefix = load.fault_prefix(self.run_prefix, fault)
        bucket = self.outputs["uploads_bucket"]
        return faults.AccessOutage(
            self.clients["iam"], self.role_name, bucket, prefix, f"stress-{fault}-outage"
        )


def poll_until(
    probe: Callable[[], T | None], timeout_s: float, interval_s: float = 1.0
) -> T | None:
    """Call `probe` until it returns something other than None; None after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value is not None or time.monotonic() > deadline:
            return value
        time.sleep(interval_s)


def table_name(ctx: StressContext) -> str:
    """Return the metadata table's name."""
    return str(ctx.outputs["table_name"])
