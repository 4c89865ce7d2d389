"""End to end on an embedded emulator: uploads at a fixed concurrency, and when results show.

For each upload, the latency runs from the end of its put_object to the first
poll that sees its row final in DynamoDB, and to the first poll of
GET /images that lists it. Polls run on their own threads while uploads go
on, so a latency is exact up to one poll (the phase reports the poll times).
Polling costs CPU on the same cores, so probes ask only about finished
uploads, and the listing probe reads the newest page and walks every page
only now and then.
"""

import itertools
import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from lambdas import records
from scripts.benchmarks import memory, stats

FINAL_STATUSES = ("ready", "failed")
BATCH_GET_LIMIT = 100
LISTING_PAGE = 100
NEWEST_PAGE = 50
FULL_WALK_EVERY = 5
WARM_UP_TIMEOUT_S = 120.0

# A probe takes the keys still awaited and returns those it now sees, with their status.
Probe = Callable[[set[str]], dict[str, str]]


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


def row_probe(dynamodb: Any, table_name: str, bucket: str) -> Probe:
    """See our rows by id (BatchGetItem, 100 ids a call) once they are ready or failed."""

    def probe(keys: set[str]) -> dict[str, str]:
        ids = {records.make_image_id(bucket, key): key for key in keys}
        found: dict[str, str] = {}
        id_list = sorted(ids)
        for start in range(0, len(id_list), BATCH_GET_LIMIT):
            chunk = id_list[start : start + BATCH_GET_LIMIT]
            request = {
                table_name: {
                    "Keys": [{"image_id": {"S": image_id}} for image_id in chunk],
                    "ProjectionExpression": "image_id, #s",
                    "ExpressionAttributeNames": {"#s": "status"},
                }
            }
            answer = dynamodb.batch_get_item(RequestItems=request)
            for item in answer["Responses"].get(table_name, []):
                status = item["status"]["S"]
                if status in FINAL_STATUSES:
                    found[ids[item["image_id"]["S"]]] = status
        return found

    return probe


def get_json(url: str) -> Any:
    """GET a JSON document from the benchmark's own loopback emulator."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def listing_probe(api_url: str, bucket: str) -> Probe:
    """See our images in GET /images: the newest page each time, every page every few times."""
    calls = itertools.count(1)

    def probe(keys: set[str]) -> dict[str, str]:
        ids = {records.make_image_id(bucket, key): key for key in keys}
        walks_all = next(calls) % FULL_WALK_EVERY == 0
        found: dict[str, str] = {}
        cursor = None
        while True:
            limit = LISTING_PAGE if walks_all else NEWEST_PAGE
            query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
            page = get_json(f"{api_url}/images{query}")
            for item in page["items"]:
                key = ids.get(item["image_id"])
                if key and item["status"] in FINAL_STATUSES:
                    found[key] = item["status"]
            cursor = page.get("next_cursor")
            if not walks_all or not cursor or len(found) == len(ids):
                return found

    return probe


def tutorial_probe(dynamodb: Any, table_name: str, bucket: str) -> Probe:
    """See the tutorial's rows (random ids) by scanning its table for each original's URL."""
    prefix = f"https://{bucket}.s3.amazonaws.com/"

    def probe(keys: set[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for page in dynamodb.get_paginator("scan").paginate(TableName=table_name):
            for item in page["Items"]:
                key = item["original_url"]["S"].removeprefix(prefix)
                if key in keys:
                    found[key] = "ready"
        return found

    return probe


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
    """Warm up, upload, watch until every result shows (or `timeout_s`), sample emulator memory."""
    warm_up_s = warm_up(phase, s3, body, threads) if phase.warm_up_keys else 0.0
    keys = set(phase.keys)
    finished_at: dict[str, float] = {}
    watchers = [
        Watcher(name, probe, keys, interval_s, finished_at)
        for name, (probe, interval_s) in phase.probes.items()
    ]
    baseline_kib, baseline_processes = memory.tree_rss_kib(emulator_pid)
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
        "emulator_rss_mib": {
            "before": baseline_kib / 1024,
            "peak": sampler.peak.rss_kib / 1024,
            "processes_before": baseline_processes,
            "processes_at_peak": sampler.peak.processes,
            "most_processes": sampler.peak.most_processes,
            "handler_peak": sampler.peak.parts.get(phase.function_name, (0, 0))[0] / 1024,
            "handler_processes": sampler.peak.parts.get(phase.function_name, (0, 0))[1],
            "parts_peak": {
                label: {"rss_mib": kib / 1024, "processes": count}
                for label, (kib, count) in sampler.peak.parts.items()
            },
        },
    }
