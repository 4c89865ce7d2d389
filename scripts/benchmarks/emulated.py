"""The benchmark's own emulators: a fresh MiniStack each, provisioned by our bootstrap code.

Each starts on a free loopback port (like the end-to-end tests) and is stopped
afterwards, so the running sandbox on :4566 is never touched. A fresh emulator
per trigger mode keeps one mode's leftover workers out of the other's memory.
"""

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from bootstrap.aws import EMULATOR_CREDENTIALS
from scripts import emulator
from scripts.benchmarks import api_pages, endtoend, images, tutorial_stack
from tests.support.sandbox import Pipeline, embedded_emulator, provision_pipeline, settings_for

PHASE_TIMEOUT_S = 240.0
ROW_POLL_S = 0.1
LISTING_POLL_S = 0.25


@dataclass(frozen=True)
class Emulated:
    """A provisioned pipeline on its own emulator, and the emulator's process id."""

    pipeline: Pipeline
    emulator_pid: int
    runtime: str


@contextmanager
def fresh_pipeline(trigger: str, settings: dict[str, str] | None = None) -> Iterator[Emulated]:
    """Start an emulator, provision our pipeline with `trigger`, and stop it all afterwards.

    `settings` override our defaults (PIPELINE_* variables), to compare choices.
    """
    with tempfile.TemporaryDirectory(prefix="bench-emulator-") as scratch:
        work_dir = Path(scratch)
        with embedded_emulator(work_dir) as (endpoint_url, paths):
            runtime = emulator.python_runtime(paths)
            overrides = {**(settings or {}), "PIPELINE_TRIGGER": trigger}
            resolved = settings_for("local", endpoint_url, work_dir, overrides, runtime=runtime)
            pipeline = provision_pipeline(resolved)
            pid = emulator.read_pid(paths)
            if pid is None:
                raise emulator.EmulatorError("the benchmark's emulator stopped during provisioning")
            yield Emulated(pipeline, pid, runtime)


def _keys(name: str, count: int, warm_up_count: int) -> tuple[list[str], list[str]]:
    keys = [f"bench/{name}/{index:04d}.jpg" for index in range(count)]
    warm_up_keys = [f"bench/{name}-warm-up/{index:04d}.jpg" for index in range(warm_up_count)]
    return keys, warm_up_keys


@dataclass(frozen=True)
class PhasePlan:
    """What one phase uploads: how many images, at once or at a steady rate."""

    name: str
    count: int
    pace_per_s: float | None = None


def _our_phase(plan: PhasePlan, pipeline: Pipeline, warm_up_count: int) -> endtoend.Phase:
    bucket = pipeline.outputs["uploads_bucket"]
    dynamodb = pipeline.client("dynamodb")
    rows = endtoend.row_probe(dynamodb, pipeline.outputs["table_name"], bucket)
    probes = {
        "row_ready": (rows, ROW_POLL_S),
        "listed": (endtoend.listing_probe(pipeline.api_url, bucket), LISTING_POLL_S),
    }
    keys, warm_up_keys = _keys(plan.name, plan.count, warm_up_count)
    settings = pipeline.settings
    return endtoend.Phase(
        plan.name,
        settings.processor_function,
        bucket,
        keys,
        warm_up_keys,
        probes,
        plan.pace_per_s,
        observer_functions=(settings.api_function,),
    )


def _tutorial_phase(
    plan: PhasePlan, pipeline: Pipeline, names: tutorial_stack.TutorialNames, warm_up_count: int
) -> endtoend.Phase:
    dynamodb = pipeline.client("dynamodb")
    probe = endtoend.tutorial_probe(dynamodb, names.table_name, names.uploads_bucket)
    keys, warm_up_keys = _keys(plan.name, plan.count, warm_up_count)
    probes = {"row_ready": (probe, ROW_POLL_S)}
    return endtoend.Phase(
        plan.name,
        names.function_name,
        names.uploads_bucket,
        keys,
        warm_up_keys,
        probes,
        plan.pace_per_s,
    )


@dataclass(frozen=True)
class EndToEndPlan:
    """The sizes of the end-to-end run (see `python3 scripts/dev.py bench --help`)."""

    uploads: int
    small_uploads: int
    paced_uploads: int
    pace_per_s: float
    threads: int
    settings: dict[str, str] = field(default_factory=dict)
    with_direct: bool = True


def run_end_to_end(plan: EndToEndPlan, report: Callable[[str], None]) -> dict[str, Any]:
    """Ours and the tutorial on one emulator (queue trigger), ours on another (direct trigger).

    Bursts upload with `plan.threads` threads at once; paced phases one at a
    time at `plan.pace_per_s`, below what the pipeline can take, so they show
    one upload's latency without a backlog. Every phase first uploads
    `plan.threads` warm-up images, unmeasured. Direct triggers get small
    bursts only: MiniStack starts a worker process per event in flight, so a
    burst of 200 would cost minutes of CPU and gigabytes of memory.
    """
    body = images.encode_case(images.UPLOAD_CASE)
    phases: dict[str, Any] = {}
    burst = PhasePlan("burst", plan.uploads)
    small = PhasePlan("small", plan.small_uploads)
    paced = PhasePlan("paced", plan.paced_uploads, plan.pace_per_s)

    def measure(phase: endtoend.Phase, emulated: Emulated) -> None:
        report(f"end to end: {phase.name}, {len(phase.keys)} uploads")
        s3 = emulated.pipeline.client("s3")
        phases[phase.name] = endtoend.run_phase(
            phase, s3, body, plan.threads, emulated.emulator_pid, PHASE_TIMEOUT_S
        )

    def ours(kind: PhasePlan, trigger: str, emulated: Emulated) -> None:
        named = PhasePlan(f"ours-{trigger}-{kind.name}", kind.count, kind.pace_per_s)
        measure(_our_phase(named, emulated.pipeline, plan.threads), emulated)

    with fresh_pipeline("queue", plan.settings) as queued:
        used = queued.pipeline.settings
        pipeline_settings = {
            "batch_size": used.batch_size,
            "max_concurrency": used.max_concurrency,
            "thumbnail_sizes": list(used.thumbnail_sizes),
            "processor_memory_mb": used.processor_memory_mb,
            "overrides": plan.settings,
        }
        names = tutorial_stack.TutorialNames()
        tutorial_stack.deploy(queued.pipeline.aws, queued.pipeline.settings, names)
        for kind in (burst, paced, small):
            ours(kind, "queue", queued)
        for kind in (paced, small) if plan.with_direct else ():
            named = PhasePlan(f"tutorial-direct-{kind.name}", kind.count, kind.pace_per_s)
            measure(_tutorial_phase(named, queued.pipeline, names, plan.threads), queued)

    if plan.with_direct:
        with fresh_pipeline("direct", plan.settings) as direct:
            for kind in (paced, small):
                ours(kind, "direct", direct)

    return {
        "upload_image": {
            "label": images.UPLOAD_CASE.label,
            "width": images.UPLOAD_CASE.width,
            "height": images.UPLOAD_CASE.height,
            "bytes": len(body),
        },
        "pipeline_settings": pipeline_settings,
        "phases": phases,
    }


def run_api(
    sizes: tuple[int, ...],
    repeats: int,
    settings: dict[str, str],
    report: Callable[[str], None],
) -> dict[str, Any]:
    """Measure GET /images and the tutorial's scan at each table size, on a fresh emulator."""
    with fresh_pipeline("queue", settings) as emulated:
        pipeline = emulated.pipeline
        table = boto3.resource(
            "dynamodb",
            endpoint_url=pipeline.settings.endpoint_url,
            region_name=pipeline.settings.region,
            **EMULATOR_CREDENTIALS,
        ).Table(pipeline.outputs["table_name"])
        return api_pages.run(
            pipeline.api_url,
            pipeline.client("dynamodb"),
            table,
            pipeline.settings.list_shards,
            sizes,
            repeats,
            report,
        )
