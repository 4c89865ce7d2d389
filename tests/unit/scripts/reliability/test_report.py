"""Unit tests of scripts/reliability/report.py: tables show what was measured, JSON keeps it."""

import json
from pathlib import Path

from rich.console import Console

from scripts.reliability.listing import PageCheck
from scripts.reliability.report import StressReport, print_report, write_report


def make_report() -> StressReport:
    return StressReport(
        uploads=10,
        stored=10,
        ready=9,
        failed=1,
        invalid_uploads=1,
        faults={"transient denial": {"ok": True, "summary": "2 reads denied"}},
        pages=[PageCheck("first page", 200, ("a",), ("a",), False, False)],
        fuzz={
            "executions": 5,
            "rendered": 2,
            "rejected": 3,
            "findings": [],
            "slowest_ms": 7,
            "worker_peak_rss_kb": 2048,
        },
    )


def test_clean_report_prints_every_measure_and_no_problem() -> None:
    console = Console(record=True, width=200)

    print_report(make_report(), console)

    text = console.export_text()
    for expected in ("lost", "DLQ depth", "transient denial", "API: first page", "5 executions"):
        assert expected in text
    assert "problem" not in text


def test_problems_are_printed_and_make_the_report_unclean() -> None:
    report = make_report()
    report.problems.append("3 lost")
    console = Console(record=True, width=200)

    print_report(report, console)

    assert not report.is_clean
    assert "problem: 3 lost" in console.export_text()


def test_json_report_keeps_counts_and_page_verdicts(tmp_path: Path) -> None:
    path = tmp_path / "report.json"

    write_report(make_report(), path)

    saved = json.loads(path.read_text())
    assert (saved["ready"], saved["is_clean"]) == (9, True)
    assert saved["pages"] == [
        {"name": "first page", "status": 200, "items": 1, "expected_items": 1, "is_right": True}
    ]
