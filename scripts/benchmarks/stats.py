"""Summary statistics for the benchmark: percentiles, medians and ratios of measured samples.

Pure functions over lists of numbers, so their maths has unit tests of its own.
"""

from collections.abc import Sequence
from typing import TypedDict


class Summary(TypedDict):
    """Latency-style summary of one series of samples."""

    count: int
    p50: float
    p95: float
    max: float


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Return the `fraction` quantile (0 to 1) with linear interpolation between ranks.

    The same definition as numpy's default: rank = fraction × (n - 1), and a
    value between two ranks is interpolated. Raises ValueError on no samples.
    """
    if not samples:
        raise ValueError("no samples")
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be within 0 and 1, not {fraction}")

    ordered = sorted(samples)
    rank = fraction * (len(ordered) - 1)
    lower = int(rank)
    upper = min(lower + 1, len(ordered) - 1)
    weight = rank - lower
    return ordered[lower] + (ordered[upper] - ordered[lower]) * weight


def median(samples: Sequence[float]) -> float:
    """Return the middle sample (the mean of the two middle ones for an even count)."""
    return percentile(samples, 0.5)


def summarise(samples: Sequence[float]) -> Summary:
    """Return count, p50, p95 and max of `samples`."""
    return {
        "count": len(samples),
        "p50": percentile(samples, 0.5),
        "p95": percentile(samples, 0.95),
        "max": max(samples),
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """Return numerator / denominator, or None when either is missing or the denominator is 0."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator
