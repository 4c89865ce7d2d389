"""The benchmark's own emulators: a fresh MiniStack per trigger mode, provisioned by our bootstrap.

Each starts on a free loopback port, like the end-to-end tests, and stops
afterwards: a sandbox running on :4566 is never touched.
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
from scripts.benchmarks import api_pages, endtoend, images, probes, tutorial_stack
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

    def named(self, prefix: str) -> "PhasePlan":
        return PhasePlan(f"{prefix}-{self.name}", self.count, self.pace_per_s)


def _our_phase(plan: PhasePlan, pipeline: Pipeline, warm_up_count: int) -> endtoend.Phase:
    bucket = pipeline.outputs["uploads_bucket"]
    dynamodb = pipeline.client("dynamodb")
    rows = probes.row_probe(dynamodb, pipeline.outputs["table_name"], bucket)
    listing = probes.listing_probe(pipeline.api_url, bucket)
    watched = {"row_ready": (rows, ROW_POLL_S), "listed": (listing, LISTING_POLL_S)}
    keys, warm_up_keys = _keys(plan.name, plan.count, warm_up_count)
    settings = pipeline.settings
    return endtoend.Phase(
        plan.name,
        settings.processor_function,
        bucket,
        keys,
        warm_up_keys,
        watched,
        plan.pace_per_s,
        observer_functions=(settings.api_function,),
    )


def _tutorial_phase(
    plan: PhasePlan, pipeline: Pipeline, names: tutorial_stack.TutorialNames, warm_up_count: int
) -> endtoend.Phase:
    dynamodb = pipeline.client("dynamodb")
    rows = probes.tutorial_probe(dynamodb, names.table_name, names.uploads_bucket)
    keys, warm_up_keys = _keys(plan.name, plan.count, warm_up_count)
    return endtoend.Phase(
        plan.name,
        names.function_name,
        names.uploads_bucket,
        keys,
        warm_up_keys,
        {"row_ready": (rows, ROW_POLL_S)},
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

    Every phase first uploads `plan.threads` warm-up images, unmeasured. The
    direct trigger gets the small burst only: MiniStack starts a worker process
    per event in flight, so 200 at once would cost minutes of CPU and gigabytes.
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

    with fresh_pipeline("queue", plan.settings) as queued:
        pipeline_settings = _describe_settings(queued.pipeline, plan.settings)
        names = tutorial_stack.TutorialNames()
        tutorial_stack.deploy(queued.pipeline.aws, queued.pipeline.settings, names)
        for kind in (burst, paced, small):
            measure(_our_phase(kind.named("ours-queue"), queued.pipeline, plan.threads), queued)
        for kind in (paced, small) if plan.with_direct else ():
            tutorial = _tutorial_phase(
                kind.named("tutorial-direct"), queued.pipeline, names, plan.threads
            )
            measure(tutorial, queued)

    if plan.with_direct:
        with fresh_pipeline("direct", plan.settings) as direct:
            for kind in (paced, small):
                measure(
                    _our_phase(kind.named("ours-direct"), direct.pipeline, plan.threads), direct
                )

    upload = images.UPLOAD_CASE
    return {
        "upload_image": {
            "label": upload.label,
            "width": upload.width,
            "height": upload.height,
            "bytes": len(body),
        },
        "pipeline_settings": pipeline_settings,
        "phases": phases,
    }


def _describe_settings(pipeline: Pipeline, overrides: dict[str, str]) -> dict[str, Any]:
    used = pipeline.settings
    return {
        "batch_size": used.batch_size,
        "max_concurrency": used.max_concurrency,
        "thumbnail_sizes": list(used.thumbnail_sizes),
        "processor_memory_mb": used.processor_memory_mb,
        "overrides": overrides,
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
