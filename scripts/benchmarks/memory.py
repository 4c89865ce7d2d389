"""Memory and CPU from /proc: one process's peak RSS, a process tree's summed RSS and CPU time.

tracemalloc sees only Python's allocator; Pillow, libjpeg and libvips allocate
in C, so the benchmark reads the kernel's counters instead (Linux only).
"""

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
WORKER_DIRECTORY = re.compile(r"ministack-lambda-(.+)-[a-z0-9_]{8}/")


def read_status_kib(field: str, pid: int | str = "self") -> int:
    """Return one `kB` field of /proc/<pid>/status (VmRSS, VmHWM, ...); 0 when absent."""
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name == field:
            return int(value.split()[0])
    return 0


def reset_peak_rss() -> bool:
    """Reset this process's VmHWM to its current RSS (writing 5 to clear_refs, Linux 4.0+).

    Returns False where the kernel refuses; the peak then counts from process start.
    """
    try:
        (PROC / "self" / "clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _stat_fields(pid: int) -> list[str]:
    # The command name may hold spaces and parentheses: split after the last ')'.
    return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()


def _parent_pids() -> dict[int, int]:
    parents = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat_fields(int(entry.name))
        except (OSError, IndexError):
            continue
        parents[int(entry.name)] = int(fields[1])
    return parents


def process_tree(root_pid: int) -> list[int]:
    """Return `root_pid` and all its descendants that are alive now."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parent_pids().items():
        children.setdefault(parent, []).append(pid)

    tree, pending = [], [root_pid]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


def tree_rss_kib(root_pid: int) -> tuple[int, int]:
    """Return (summed VmRSS in KiB, process count) of the tree under `root_pid`."""
    parts = tree_rss_by_part(root_pid)
    return sum(kib for kib, _ in parts.values()), sum(count for _, count in parts.values())


def tree_rss_by_part(root_pid: int) -> dict[str, tuple[int, int]]:
    """Return (summed VmRSS in KiB, process count) per part of the tree under `root_pid`.

    Parts are named as in `tree_cpu_s`: "emulator", each function's workers, "other".
    """
    parts: dict[str, tuple[int, int]] = {}
    for pid in process_tree(root_pid):
        try:
            rss_kib = read_status_kib("VmRSS", pid)
            label = "emulator" if pid == root_pid else name_worker(_command_line(pid)) or "other"
        except OSError:
            continue
        kib, count = parts.get(label, (0, 0))
        parts[label] = (kib + rss_kib, count + 1)
    return parts


def _command_line(pid: int) -> str:
    return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


def name_worker(command_line: str) -> str | None:
    """Name the function a MiniStack worker runs, from its command line; None for other processes.

    MiniStack runs each warm worker from a temporary directory named
    `ministack-lambda-<function>-<8 random characters>`.
    """
    found = WORKER_DIRECTORY.search(command_line)
    return found.group(1) if found else None


def tree_cpu_s(root_pid: int) -> dict[str, float]:
    """Return the CPU seconds (user + system) spent so far in the tree under `root_pid`, by part.

    "emulator" is the root process itself, a function's name its living
    workers, and "exited workers" what the root's reaped children used.
    Compare two readings: their difference is what each part spent in between.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    parts: dict[str, float] = {}
    for pid in process_tree(root_pid):
        try:
            fields = _stat_fields(pid)
            command_line = _command_line(pid)
        except (OSError, IndexError):
            continue
        # Fields 14-17 of stat (utime, stime, cutime, cstime), counted after the name.
        own = (int(fields[11]) + int(fields[12])) / ticks
        if pid == root_pid:
            parts["emulator"] = own
            parts["exited workers"] = (int(fields[13]) + int(fields[14])) / ticks
            continue
        label = name_worker(command_line) or "other"
        parts[label] = parts.get(label, 0.0) + own
    return parts


def spent_between(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """Return what each part spent between two readings of `tree_cpu_s` (never negative)."""
    return {name: max(0.0, after[name] - before.get(name, 0.0)) for name in after}


@dataclass
class TreePeak:
    """The largest summed RSS seen while sampling, in all and per part, with process counts."""

    rss_kib: int = 0
    processes: int = 0
    most_processes: int = 0
    parts: dict[str, tuple[int, int]] = field(default_factory=dict)


class TreeSampler:
    """Sample a process tree's summed RSS on a background thread; use as a context manager."""

    def __init__(self, root_pid: int, interval_s: float = 0.25) -> None:
        self.root_pid = root_pid
        self.interval_s = interval_s
        self.peak = TreePeak()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _sample(self) -> None:
        parts = tree_rss_by_part(self.root_pid)
        rss_kib = sum(kib for kib, _ in parts.values())
        count = sum(processes for _, processes in parts.values())
        self.peak.most_processes = max(self.peak.most_processes, count)
        if rss_kib > self.peak.rss_kib:
            self.peak.rss_kib, self.peak.processes = rss_kib, count
        for label, (kib, processes) in parts.items():
            if kib > self.peak.parts.get(label, (0, 0))[0]:
                self.peak.parts[label] = (kib, processes)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval_s)

    def __enter__(self) -> "TreeSampler":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
