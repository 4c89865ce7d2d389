"""One compute measurement in a fresh process, run as `compute_worker NAME PATH RUNS`.

Prints one JSON object: wall and CPU ms per run, the peak memory the runs added
(VmHWM - VmRSS, KiB) and the Pillow decoders started per run.
"""

import io
import json
import sys
import time
from pathlib import Path

from PIL import Image

from scripts.benchmarks import memory
from scripts.benchmarks.thumbnailers import THUMBNAILERS

WARM_UP_EDGE = 16


class DecoderCounter:
    """Count the decoders Pillow starts, by wrapping Image._getdecoder (every load calls it)."""

    def __init__(self) -> None:
        self.count = 0
        self._original = Image._getdecoder

    def _counting(self, *args: object, **kwargs: object) -> object:
        self.count += 1
        return self._original(*args, **kwargs)

    def install(self) -> None:
        Image._getdecoder = self._counting  # type: ignore[assignment]


def _tiny_image_like(data: bytes) -> bytes:
    """Encode a small picture in the format of `data`, to load libraries and plugins first."""
    image_format = Image.open(io.BytesIO(data)).format or "PNG"
    buffer = io.BytesIO()
    tiny = Image.new("RGB", (WARM_UP_EDGE, WARM_UP_EDGE), (90, 140, 200))
    tiny.save(buffer, "JPEG" if image_format == "MPO" else image_format)
    return buffer.getvalue()


def measure(name: str, data: bytes, runs: int) -> dict[str, object]:
    """Time `runs` thumbnails of `data` by thumbnailer `name` and read the peak memory they took.

    CPU time counts every thread and moves less than wall time when other work
    shares the cores. libvips decodes without Pillow: it starts 0 decoders.
    """
    make = THUMBNAILERS[name]
    make(_tiny_image_like(data))

    decoders = DecoderCounter()
    decoders.install()
    can_reset = memory.reset_peak_rss()
    baseline_kib = memory.read_status_kib("VmRSS")
    durations_ms, cpu_ms = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        thumbnail = make(data)
        durations_ms.append((time.perf_counter() - started) * 1000)
        cpu_ms.append((time.process_time() - cpu_started) * 1000)
    peak_kib = memory.read_status_kib("VmHWM")

    with Image.open(io.BytesIO(thumbnail)) as result:
        size = result.size
    return {
        "durations_ms": durations_ms,
        "cpu_ms": cpu_ms,
        "baseline_rss_kib": baseline_kib,
        "peak_rss_kib": peak_kib,
        "peak_added_kib": max(0, peak_kib - baseline_kib),
        "peak_is_reset": can_reset,
        "decoders_per_run": decoders.count / runs,
        "thumbnail_size": list(size),
        "thumbnail_bytes": len(thumbnail),
    }


def main(argv: list[str]) -> int:
    name, path, runs = argv[0], Path(argv[1]), int(argv[2])
    print(json.dumps(measure(name, path.read_bytes(), runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
