"""Thumbnail compute in one process: ours, the tutorial's and libvips' on the generated inputs.

Each (input, thumbnailer) pair runs in a fresh worker process, so its peak memory is its
own; rounds alternate the thumbnailers, so a burst of load elsewhere hits all of them.
"""

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scripts.benchmarks import images, stats

THUMBNAILER_NAMES = ("ours", "tutorial", "libvips", "ours-3-sizes")


def _run_worker(name: str, path: Path, runs: int, root: Path) -> dict[str, Any]:
    environment = {**os.environ, "PYTHONPATH": str(root)}
    command = [
        sys.executable,
        "-m",
        "scripts.benchmarks.compute_worker",
        name,
        str(path),
        str(runs),
    ]
    finished = subprocess.run(
        command, cwd=root, env=environment, capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        return {"error": finished.stderr.strip().splitlines()[-1:] or ["exit"]}
    return dict(json.loads(finished.stdout))


def _combine(measurements: list[dict[str, Any]]) -> dict[str, Any]:
    """Pool the runs of every round: median and min times, the largest peak memory."""
    failures = [m["error"] for m in measurements if "error" in m]
    if failures:
        return {"error": " ".join(failures[0])}

    durations = [ms for m in measurements for ms in m["durations_ms"]]
    cpu = [ms for m in measurements for ms in m["cpu_ms"]]
    last = measurements[-1]
    return {
        "median_ms": stats.median(durations),
        "min_ms": min(durations),
        "median_cpu_ms": stats.median(cpu),
        "runs": len(durations),
        "peak_added_mib": max(m["peak_added_kib"] for m in measurements) / 1024,
        "decoders_per_run": last["decoders_per_run"],
        "thumbnail_size": last["thumbnail_size"],
        "thumbnail_bytes": last["thumbnail_bytes"],
        "durations_ms": durations,
        "cpu_ms": cpu,
    }


def run(
    inputs_dir: Path,
    root: Path,
    runs: int,
    rounds: int,
    report: Callable[[str], None],
) -> dict[str, Any]:
    """Measure every case with every thumbnailer; return the JSON section 'compute'."""
    cases = []
    for case in images.COMPUTE_CASES:
        report(f"compute: {case.label} ({case.width}×{case.height})")
        path = images.cached_input(case, inputs_dir)
        measured: dict[str, list[dict[str, Any]]] = {name: [] for name in THUMBNAILER_NAMES}
        for _ in range(rounds):
            for name in THUMBNAILER_NAMES:
                measured[name].append(_run_worker(name, path, runs, root))

        results = {name: _combine(found) for name, found in measured.items()}
        cases.append(
            {
                "name": case.name,
                "label": case.label,
                "format": case.format,
                "width": case.width,
                "height": case.height,
                "frames": case.frames,
                "input_bytes": path.stat().st_size,
                "results": results,
                "ours_vs_libvips": _ratios(results, "ours", "libvips"),
                "ours_vs_tutorial": _ratios(results, "ours", "tutorial"),
            }
        )
    return {"runs_per_round": runs, "rounds": rounds, "cases": cases}


def _ratios(results: dict[str, Any], first: str, second: str) -> dict[str, float | None]:
    """Ratios of the median wall time, the fastest run and the median CPU time."""
    return {
        measure: stats.ratio(results[first].get(measure), results[second].get(measure))
        for measure in ("median_ms", "min_ms", "median_cpu_ms")
    }
