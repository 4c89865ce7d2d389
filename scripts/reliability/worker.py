"""A child process that judges inputs one at a time, under a memory limit and a time budget.

Crashes and hangs stay in the child: the parent kills and replaces it, and
reports the input as a finding. Used by the fuzzer and the pixel-limit probe.
"""

import multiprocessing
import os
import resource
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Literal

Verdict = Literal["rendered", "rejected", "finding"]
Checker = Callable[[bytes, Sequence[int], int], "Outcome"]


@dataclass(frozen=True)
class Outcome:
    """What the checker made of one input; `detail` names the rejection or the finding."""

    verdict: Verdict
    detail: str = ""


@dataclass(frozen=True)
class Limits:
    """Bounds per input: wall-clock budget and the worker's address space."""

    time_per_input_s: float = 30.0
    memory_bytes: int = 3 * 1024**3


class Worker:
    """A child process that checks inputs under a memory limit; replaced when it dies or hangs."""

    def __init__(
        self, checker: Checker, max_edges: Sequence[int], max_pixels: int, limits: Limits
    ) -> None:
        self._arguments = (checker, tuple(max_edges), max_pixels, limits.memory_bytes)
        self._time_limit_s = limits.time_per_input_s
        self._context = multiprocessing.get_context("spawn")
        self._process: multiprocessing.process.BaseProcess | None = None
        self._connection: Connection | None = None
        self.peak_rss_kb = 0

    def _start(self) -> Connection:
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(child_end, *self._arguments), daemon=True
        )
        process.start()
        child_end.close()
        self._process, self._connection = process, parent_end
        return parent_end

    def check(self, data: bytes) -> tuple[Outcome, int]:
        """Check one input; return its outcome and how long the worker took (ms)."""
        connection = self._connection or self._start()
        started = time.perf_counter()
        try:
            connection.send_bytes(data)
            if not connection.poll(self._time_limit_s):
                self._stop()
                limit = f"{self._time_limit_s:g} s"
                return Outcome("finding", f"no answer within {limit}"), _elapsed_ms(started)
            verdict, detail, peak_rss_kb = connection.recv()
        except (EOFError, OSError):
            self._stop()
            return Outcome("finding", "the worker died (memory limit or crash)"), 0
        self.peak_rss_kb = max(self.peak_rss_kb, peak_rss_kb)
        return Outcome(verdict, detail), _elapsed_ms(started)

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
        if self._connection is not None:
            self._connection.close()
        self._process, self._connection = None, None

    def close(self) -> int:
        """Stop the worker; return the highest resident memory it reported (kB)."""
        self._stop()
        return self.peak_rss_kb


def _serve(
    connection: Connection,
    checker: Checker,
    max_edges: tuple[int, ...],
    max_pixels: int,
    memory_bytes: int,
) -> None:
    """Worker loop: limit the address space, then answer each input until the pipe closes.

    Decoder warnings (Python's and libtiff's own stderr lines) are silenced:
    damaged input is what this process is fed on purpose.
    """
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    warnings.simplefilter("ignore")
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), sys.stderr.fileno())
    while True:
        try:
            data = connection.recv_bytes()
        except EOFError:
            return
        outcome = checker(data, max_edges, max_pixels)
        peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        connection.send((outcome.verdict, outcome.detail, peak_rss_kb))


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
