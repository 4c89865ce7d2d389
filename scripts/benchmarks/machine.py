"""Facts about the machine a benchmark ran on, stored beside the figures they qualify."""

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_mib() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def _load_average() -> list[float]:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return []


def _git_commit(root: Path) -> str:
    finished = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
    )
    return finished.stdout.strip() or "unknown"


def describe(root: Path) -> dict[str, Any]:
    """Return CPU, memory, load and library versions for the JSON report."""
    import PIL
    import pyvips

    return {
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": _git_commit(root),
        "nproc": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_mib": _memory_mib(),
        "load_average_at_start": _load_average(),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "pillow": PIL.__version__,
        "libvips": ".".join(str(pyvips.version(part)) for part in range(3)),
        "pyvips": pyvips.__version__,
        "libvips_concurrency": pyvips.vips_lib.vips_concurrency_get(),
    }
