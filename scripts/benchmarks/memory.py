"""Memory and CPU from /proc: one process's peak RSS, a process tree's summed RSS and CPU time.

tracemalloc sees only Python's allocator; Pillow, libjpeg and libvips allocate
in C, so the benchmark reads the kernel's counters instead (Linux only).
"""

import os
import threading
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


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
    total, count = 0, 0
    for pid in process_tree(root_pid):
        try:
            total += read_status_kib("VmRSS", pid)
        except OSError:
            continue
        count += 1
    return total, count


def own_cpu_s(pid: int) -> float:
    """Return the CPU seconds (user + system) that process `pid` itself has used."""
    fields = _stat_fields(pid)
    # Fields 14 and 15 of stat (utime, stime), counted after the name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_s(root_pid: int) -> float:
    """Return the CPU seconds (user + system) of the tree under `root_pid`, reaped children too.

    Compare two readings: their difference is the CPU the tree spent in between.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in process_tree(root_pid):
        try:
            fields = _stat_fields(pid)
        except (OSError, IndexError):
            continue
        # Fields 14-17 of stat (utime, stime, cutime, cstime), counted after the name.
        own = int(fields[11]) + int(fields[12])
        total += own + (int(fields[13]) + int(fields[14]) if pid == root_pid else 0)
    return total / ticks


@dataclass
class TreePeak:
    """The largest summed RSS seen while sampling, and how many processes made it up."""

    rss_kib: int = 0
    processes: int = 0
    most_processes: int = 0


class TreeSampler:
    """Sample a process tree's summed RSS on a background thread; use as a context manager."""

    def __init__(self, root_pid: int, interval_s: float = 0.25) -> None:
        self.root_pid = root_pid
        self.interval_s = interval_s
        self.peak = TreePeak()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _sample(self) -> None:
        rss_kib, count = tree_rss_kib(self.root_pid)
        self.peak.most_processes = max(self.peak.most_processes, count)
        if rss_kib > self.peak.rss_kib:
            self.peak.rss_kib, self.peak.processes = rss_kib, count

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
