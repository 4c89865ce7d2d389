"""Unit tests of scripts/benchmarks/coldstart.py: reading a `python -X importtime` report."""

from scripts.benchmarks import coldstart

IMPORTTIME_REPORT = """\
import time: self [us] | cumulative | imported package
import time:       120 |        120 |   _io
import time:      2000 |      45000 |     boto3.session
import time:      3000 |      90000 | boto3
import time:       500 |      30000 |   PIL.Image
import time:      1500 |      60000 | PIL
import time:       900 |        900 | json
some other line on stderr
"""


def test_importtime_gives_the_slowest_top_level_packages_first() -> None:
    heaviest = coldstart.parse_importtime(IMPORTTIME_REPORT, 2)

    assert heaviest == [
        {"module": "boto3", "cumulative_ms": 90.0},
        {"module": "PIL", "cumulative_ms": 60.0},
    ]


def test_importtime_names_packages_at_any_depth_by_their_top_level_name() -> None:
    modules = [entry["module"] for entry in coldstart.parse_importtime(IMPORTTIME_REPORT, 10)]

    assert modules == ["boto3", "PIL", "json", "_io"]


def test_importtime_gives_a_package_its_slowest_entry() -> None:
    report = (
        "import time:       100 |       1000 | PIL\n"
        "import time:       500 |      52000 | PIL.Image\n"
    )

    assert coldstart.parse_importtime(report, 5) == [{"module": "PIL", "cumulative_ms": 52.0}]
