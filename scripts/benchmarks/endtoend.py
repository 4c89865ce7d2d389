"""End to end on an embedded emulator: uploads in bursts or paced, and when their results show.

Latency runs from the end of each put_object to the first poll (probes.py) that
sees the result, so it is exact to one poll; each phase also samples CPU and memory.
"""

import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from scripts.benchmarks import memory, stats
from scripts.benchmarks.probes import Probe

WARM_UP_TIMEOUT_S = 120.0


@dataclass
class Watcher:
    """Poll a probe on a background thread and note when each key was first seen."""

    name: str
    probe: Probe
    keys: set[str]
    interval_s: float
    uploaded: dict[str, float] = field(default_factory=dict)
    seen_at: dict[str, float] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    probe_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)

    @property
    def is_done(self) -> bool:
        return len(self.seen_at) == len(self.keys)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set() and not self.is_done:
            awaited = set(self.uploaded) - self.seen_at.keys()
            if not awaited:
                self._stop.wait(self.interval_s)
                continue
            started = time.monotonic()
            try:
                found = self.probe(awaited)
            except Exception as exc:  # a failed poll is retried; the phase reports it
                self.errors.append(f"{type(exc).__name__}: {exc}"[:200])
                found = {}
            now = time.monotonic()
            self.probe_ms.append((now - started) * 1000)
            for key, status in found.items():
                self.seen_at.setdefault(key, now)
                self.statuses.setdefault(key, status)
            self._stop.wait(self.interval_s)


def upload_all(
    s3: Any,
    bucket: str,
    keys: list[str],
    body: bytes,
    threads: int,
    finished_at: dict[str, float],
    pace_per_s: float | None = None,
) -> tuple[float, list[float]]:
    """Upload `body` under every key; note each completion in `finished_at`.

    At once with `threads` workers, or, with `pace_per_s`, one at a time at
    that steady rate. Returns the start time (time.monotonic) and each
    put_object's duration in milliseconds.
    """
    durations_ms: list[float] = []

    def put(key: str) -> None:
        started = time.monotonic()
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="image/jpeg")
        finished_at[key] = time.monotonic()
        durations_ms.append((finished_at[key] - started) * 1000)

    began = time.monotonic()
    if pace_per_s:
        for index, key in enumerate(keys):
            time.sleep(max(0.0, began + index / pace_per_s - time.monotonic()))
            put(key)
        return began, durations_ms

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(put, keys))
    return began, durations_ms


def wait_for_watchers(watchers: Iterable[Watcher], timeout_s: float) -> None:
    """Return when every watcher has seen every key, or after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    pending = list(watchers)
    while pending and time.monotonic() < deadline:
        pending = [watcher for watcher in pending if not watcher.is_done]
        time.sleep(0.05)
    for watcher in watchers:
        watcher.stop()


def summarise_watcher(
    watcher: Watcher, began: float, finished_at: dict[str, float]
) -> dict[str, Any]:
    """Latency from upload to first sight, throughput and what was never seen."""
    latencies_ms = [
        (seen - finished_at[key]) * 1000
        for key, seen in watcher.seen_at.items()
        if key in finished_at
    ]
    statuses = list(watcher.statuses.values())
    last_seen = max(watcher.seen_at.values(), default=began)
    return {
        "seen": len(watcher.seen_at),
        "missing": len(watcher.keys) - len(watcher.seen_at),
        "failed": statuses.count("failed"),
        "latency_ms": stats.summarise(latencies_ms) if latencies_ms else None,
        "throughput_per_s": len(watcher.seen_at) / max(last_seen - began, 1e-9),
        "poll_ms": stats.summarise(watcher.probe_ms) if watcher.probe_ms else None,
        "poll_errors": watcher.errors[:3],
    }


@dataclass(frozen=True)
class Phase:
    """One burst of uploads into one bucket, and the probes (with poll intervals) that watch it.

    The first probe also watches the warm-up uploads, which go first and are
    not measured: they start the function's workers, whose cold start
    the benchmark reports on its own. `observer_functions` serve the probes
    (the API function answering GET /images): their CPU is reported apart.
    """

    name: str
    function_name: str
    bucket: str
    keys: list[str]
    warm_up_keys: list[str]
    probes: dict[str, tuple[Probe, float]]
    pace_per_s: float | None = None
    observer_functions: tuple[str, ...] = ()


def warm_up(phase: Phase, s3: Any, body: bytes, threads: int) -> float:
    """Upload the warm-up keys at once and wait for their results; return the seconds it took.

    Every other probe then runs once, so the API function is warm as well.
    """
    (probe, interval_s), *others = phase.probes.values()
    watcher = Watcher("warm-up", probe, set(phase.warm_up_keys), interval_s)
    watcher.start()
    began, _ = upload_all(s3, phase.bucket, phase.warm_up_keys, body, threads, watcher.uploaded)
    wait_for_watchers([watcher], WARM_UP_TIMEOUT_S)
    for other_probe, _ in others:
        other_probe(set(phase.warm_up_keys))
    return time.monotonic() - began


def run_phase(
    phase: Phase,
    s3: Any,
    body: bytes,
    threads: int,
    emulator_pid: int,
    timeout_s: float,
) -> dict[str, Any]:
    """Warm up, upload, watch until every result shows (or `timeout_s`), sample the emulator."""
    warm_up_s = warm_up(phase, s3, body, threads) if phase.warm_up_keys else 0.0
    finished_at: dict[str, float] = {}
    watchers = [
        Watcher(name, probe, set(phase.keys), interval_s, finished_at)
        for name, (probe, interval_s) in phase.probes.items()
    ]
    baseline_kib, _ = memory.tree_rss_kib(emulator_pid)
    cpu_before = memory.tree_cpu_s(emulator_pid)

    with memory.TreeSampler(emulator_pid) as sampler:
        for watcher in watchers:
            watcher.start()
        began, put_ms = upload_all(
            s3, phase.bucket, phase.keys, body, threads, finished_at, phase.pace_per_s
        )
        wait_for_watchers(watchers, timeout_s)
    ended = time.monotonic()
    cpu_spent = memory.spent_between(cpu_before, memory.tree_cpu_s(emulator_pid))

    return {
        "uploads": len(phase.keys),
        "threads": 1 if phase.pace_per_s else threads,
        "pace_per_s": phase.pace_per_s,
        "function": phase.function_name,
        "warm_up_uploads": len(phase.warm_up_keys),
        "warm_up_seconds": warm_up_s,
        "upload_seconds": max(finished_at.values()) - began,
        "put_ms": stats.summarise(put_ms),
        "results": {w.name: summarise_watcher(w, began, finished_at) for w in watchers},
        "wall_s": ended - began,
        "cpu_s": cpu_spent,
        "pipeline_cpu_s": sum(
            seconds for part, seconds in cpu_spent.items() if part not in phase.observer_functions
        ),
        "emulator_rss_mib": _describe_memory(sampler.peak, baseline_kib, phase.function_name),
    }


def _describe_memory(
    peak: memory.TreePeak, baseline_kib: int, function_name: str
) -> dict[str, Any]:
    handler_kib, handler_processes = peak.parts.get(function_name, (0, 0))
    return {
        "before": baseline_kib / 1024,
        "peak": peak.rss_kib / 1024,
        "processes_at_peak": peak.processes,
        "most_processes": peak.most_processes,
        "handler_peak": handler_kib / 1024,
        "handler_processes": handler_processes,
        "parts_peak": {
            label: {"rss_mib": kib / 1024, "processes": count}
            for label, (kib, count) in peak.parts.items()
        },
    }
