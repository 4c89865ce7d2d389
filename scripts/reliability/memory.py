"""Resident memory of a process tree (the emulator and its Lambda workers), sampled from /proc."""

import os
import threading
from collections.abc import Callable
from pathlib import Path

PROC = Path("/proc")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def tree_rss_bytes(root_pid: int, proc: Path = PROC) -> int:
    """Sum the resident memory of `root_pid` and all its descendants (0 if it is gone)."""
    children: dict[int, list[int]] = {}
    for stat in proc.glob("[0-9]*/stat"):
        try:
            pid, parent = _read_pid_and_parent(stat)
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(pid)

    total, pending = 0, [root_pid]
    while pending:
        pid = pending.pop()
        total += _rss_bytes(proc / str(pid) / "statm")
        pending.extend(children.get(pid, []))
    return total


def _read_pid_and_parent(stat: Path) -> tuple[int, int]:
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    text = stat.read_text()
    fields = text.rsplit(")", 1)[1].split()
    return int(text.split(" ", 1)[0]), int(fields[1])


def _rss_bytes(statm: Path) -> int:
    try:
        return int(statm.read_text().split()[1]) * PAGE_BYTES
    except (OSError, ValueError, IndexError):
        return 0


class PeakMemorySampler:
    """Samples a process tree's memory in a background thread and keeps the peak.

    `read_root_pid` is asked on every sample, so the tree may be restarted.
    """

    def __init__(self, read_root_pid: Callable[[], int | None], interval_s: float = 0.5) -> None:
        self.read_root_pid = read_root_pid
        self.interval_s = interval_s
        self.peak_bytes = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)

    def start(self) -> None:
        """Start sampling."""
        self._thread.start()

    def sample(self) -> None:
        """Take one sample now."""
        pid = self.read_root_pid()
        if pid is not None:
            self.peak_bytes = max(self.peak_bytes, tree_rss_bytes(pid))

    def _run(self) -> None:
        while not self._stopped.wait(self.interval_s):
            self.sample()

    def stop(self) -> int:
        """Stop sampling and return the peak in bytes."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()
        return self.peak_bytes
