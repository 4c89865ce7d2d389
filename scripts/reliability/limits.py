"""Inputs at the pixel limit: small files that decode to the largest image the processor accepts.

Each is judged in a fresh worker process, so the peak memory it reports is
that input's own; the stress command compares it with the processor's memory.
"""

import io
import math
from dataclasses import dataclass

from PIL import Image

from scripts.reliability.fuzzing import check_input
from scripts.reliability.worker import Limits, Outcome, Worker

# Name, colour mode, format: the modes that cost most memory per pixel to decode and convert.
LIMIT_KINDS = (
    ("rgba_png", "RGBA", "PNG"),
    ("grey_16bit_png", "I;16", "PNG"),
    ("palette_png", "P", "PNG"),
    ("float_tiff", "F", "TIFF"),
    ("cmyk_tiff", "CMYK", "TIFF"),
)
TIFF_OPTIONS = {"compression": "tiff_adobe_deflate"}


@dataclass(frozen=True)
class Probe:
    """How one input at the limit went: outcome, time and the worker's peak memory."""

    name: str
    file_bytes: int
    outcome: Outcome
    duration_ms: int
    peak_rss_kb: int


def draw_limit_images(max_pixels: int) -> dict[str, bytes]:
    """Draw flat square images of (nearly) `max_pixels` pixels; they compress to a few kB."""
    side = math.isqrt(max_pixels)
    images = {}
    for name, mode, image_format in LIMIT_KINDS:
        buffer = io.BytesIO()
        options = TIFF_OPTIONS if image_format == "TIFF" else {}
        Image.new(mode, (side, side)).save(buffer, image_format, **options)
        images[name] = buffer.getvalue()
    return images


def probe_limits(inputs: dict[str, bytes], max_pixels: int, limits: Limits) -> list[Probe]:
    """Judge each input in a fresh worker and record its outcome, duration and peak memory."""
    probes = []
    for name, data in inputs.items():
        worker = Worker(check_input, (200,), max_pixels, limits)
        try:
            outcome, duration_ms = worker.check(data)
        finally:
            peak_rss_kb = worker.close()
        probes.append(Probe(name, len(data), outcome, duration_ms, peak_rss_kb))
    return probes
