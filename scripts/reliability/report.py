"""The stress command's findings: one record filled phase by phase, printed, saved as JSON."""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from scripts.reliability.listing import PageCheck


@dataclass
class StressReport:
    """Everything a stress run measured; `problems` lists every broken promise in words."""

    settings: dict[str, Any] = field(default_factory=dict)
    uploads: int = 0
    api_uploads: int = 0
    invalid_uploads: int = 0
    not_stored: int = 0
    stored: int = 0
    ready: int = 0
    failed: int = 0
    lost: int = 0
    unexpected: int = 0
    missing_thumbnails: int = 0
    duplicates: int = 0
    orphans: int = 0
    abandoned: int = 0
    tickets_lost: int = 0
    pending_left: int = 0
    queue_left: int = 0
    dlq_depth: int = 0
    listed: int = 0
    rows: int = 0
    duration_s: float = 0.0
    emulator_peak_bytes: int = 0
    faults: dict[str, dict[str, Any]] = field(default_factory=dict)
    pages: list[PageCheck] = field(default_factory=list)
    fuzz: dict[str, Any] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        """Return whether the run kept every promise."""
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data (page checks without their id lists)."""
        data = asdict(self)
        data["pages"] = [
            {
                "name": page.name,
                "status": page.status,
                "items": len(page.item_ids),
                "expected_items": len(page.expected_ids),
                "is_right": page.is_right,
            }
            for page in self.pages
        ]
        data["is_clean"] = self.is_clean
        return data


def build_summary_table(report: StressReport) -> Table:
    """The headline table: what was uploaded and what became of it."""
    table = Table(title="stress: uploads and outcomes", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("expected", justify="right")

    rows = [
        ("uploads", report.uploads, f"{report.api_uploads} via POST /uploads"),
        ("stored", report.stored, str(report.uploads - report.not_stored)),
        ("ready", report.ready, ""),
        ("failed", report.failed, f"{report.invalid_uploads} (invalid files)"),
        ("lost", report.lost, "0"),
        ("outcome not as expected", report.unexpected, "0"),
        ("ready without thumbnail", report.missing_thumbnails, "0"),
        ("duplicates (listing)", report.duplicates, "0"),
        ("rows without original", report.orphans, "0"),
        ("pending left", report.pending_left, "0"),
        ("abandoned tickets (TTL)", report.abandoned, f"≤ {report.tickets_lost} answers lost"),
        ("queue left", report.queue_left, "0"),
        ("DLQ depth", report.dlq_depth, "0"),
        ("listed by GET /images", report.listed, str(report.rows)),
        ("time", f"{report.duration_s:.0f} s", ""),
        ("emulator peak memory", f"{report.emulator_peak_bytes / 2**20:.0f} MiB", ""),
    ]
    for name, value, expected in rows:
        table.add_row(name, str(value), expected)
    return table


def build_faults_table(report: StressReport) -> Table:
    """One line per fault: what was done and how the pipeline answered."""
    table = Table(title="stress: faults", title_justify="left")
    table.add_column("fault")
    table.add_column("what happened")
    table.add_column("result")
    for name, fault in report.faults.items():
        result = "ok" if fault.get("ok") else "PROBLEM"
        table.add_row(
            Text(name), Text(str(fault.get("summary", ""))), Text(result, style=_style(result))
        )
    for page in report.pages:
        result = "ok" if page.is_right else "PROBLEM"
        counts = f"status {page.status}, {len(page.item_ids)} of {len(page.expected_ids)} items"
        table.add_row(Text(f"API: {page.name}"), Text(counts), Text(result, style=_style(result)))
    if report.fuzz:
        fuzz = report.fuzz
        findings = len(fuzz.get("findings", []))
        summary = (
            f"{fuzz['executions']} executions ({fuzz['rendered']} rendered, "
            f"{fuzz['rejected']} rejected), {findings} findings, slowest {fuzz['slowest_ms']} ms, "
            f"worker peak {fuzz['worker_peak_rss_kb'] / 1024:.0f} MiB"
        )
        result = "ok" if not findings else "PROBLEM"
        table.add_row(Text("fuzzer"), Text(summary), Text(result, style=_style(result)))
    return table


def _style(result: str) -> str:
    return "green" if result == "ok" else "bold red"


def print_report(report: StressReport, console: Console) -> None:
    """Print both tables and the problems, if any."""
    console.print(build_summary_table(report))
    console.print(build_faults_table(report))
    for problem in report.problems:
        console.print(Text.assemble(("problem: ", "bold red"), problem))


def write_report(report: StressReport, path: Path) -> None:
    """Write the report as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.as_dict(), indent=2, default=str) + "\n")
