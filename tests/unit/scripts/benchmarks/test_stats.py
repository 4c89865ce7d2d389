"""Unit tests of scripts/benchmarks/stats.py: percentiles, medians, summaries and ratios."""

import pytest

from scripts.benchmarks import stats


@pytest.mark.parametrize(
    ("samples", "fraction", "expected"),
    [
        pytest.param([7.0], 0.95, 7.0, id="one-sample"),
        pytest.param([1.0, 2.0, 3.0, 4.0], 0.0, 1.0, id="zero-is-the-smallest"),
        pytest.param([1.0, 2.0, 3.0, 4.0], 1.0, 4.0, id="one-is-the-largest"),
        pytest.param([4.0, 1.0, 3.0, 2.0], 0.5, 2.5, id="unsorted-even-count-interpolates"),
        pytest.param([10.0, 20.0, 30.0, 40.0, 50.0], 0.25, 20.0, id="exact-rank"),
        pytest.param([0.0, 100.0], 0.95, 95.0, id="between-two-ranks"),
        pytest.param(list(range(1, 21)), 0.95, 19.05, id="p95-of-twenty"),
    ],
)
def test_percentile_interpolates_linearly_between_ranks(
    samples: list[float], fraction: float, expected: float
) -> None:
    assert stats.percentile(samples, fraction) == pytest.approx(expected)


def test_percentile_of_no_samples_is_an_error() -> None:
    with pytest.raises(ValueError, match="no samples"):
        stats.percentile([], 0.5)


@pytest.mark.parametrize("fraction", [-0.1, 1.5])
def test_percentile_outside_zero_to_one_is_an_error(fraction: float) -> None:
    with pytest.raises(ValueError, match="fraction"):
        stats.percentile([1.0, 2.0], fraction)


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        pytest.param([3.0, 1.0, 2.0], 2.0, id="odd-count"),
        pytest.param([3.0, 1.0, 2.0, 10.0], 2.5, id="even-count"),
    ],
)
def test_median_is_the_middle_sample(samples: list[float], expected: float) -> None:
    assert stats.median(samples) == expected


def test_summary_has_count_p50_p95_and_max() -> None:
    samples = [float(value) for value in range(1, 101)]

    summary = stats.summarise(samples)

    assert summary == {
        "count": 100,
        "p50": pytest.approx(50.5),
        "p95": pytest.approx(95.05),
        "max": 100.0,
    }


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        pytest.param(3.0, 2.0, 1.5, id="plain"),
        pytest.param(None, 2.0, None, id="missing-numerator"),
        pytest.param(3.0, None, None, id="missing-denominator"),
        pytest.param(3.0, 0.0, None, id="zero-denominator"),
    ],
)
def test_ratio_is_none_when_it_cannot_be_computed(
    numerator: float | None, denominator: float | None, expected: float | None
) -> None:
    assert stats.ratio(numerator, denominator) == expected
