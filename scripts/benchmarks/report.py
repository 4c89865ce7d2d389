"""Present a benchmark run: rich tables on the terminal, a JSON file and a PNG chart on disk."""

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from scripts.benchmarks import stats

THUMBNAILERS = ("ours", "tutorial", "libvips")
MIB = 1024 * 1024


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _times(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


def compute_table(section: dict[str, Any]) -> Table:
    """One row per input: each thumbnailer's median wall (CPU) ms and peak memory, and ratios."""
    runs = section["runs_per_round"] * section["rounds"]
    title = (
        f"Thumbnail compute in one process: median ms of {runs} runs, wall (CPU); "
        "peak memory added, MiB"
    )
    table = Table(title=title)
    table.add_column("input")
    for name in THUMBNAILERS:
        table.add_column(f"{name} ms", justify="right")
    table.add_column("ours/libvips", justify="right")
    table.add_column("ours/tutorial", justify="right")
    table.add_column("MiB ours / tut. / vips", justify="right")
    table.add_column("ours, 3 sizes: ms (decodes)", justify="right")

    for case in section["cases"]:
        results = case["results"]
        times = [
            f"{_ms(results[name].get('median_ms'))} ({_ms(results[name].get('median_cpu_ms'))})"
            for name in THUMBNAILERS
        ]
        peaks = " / ".join(_mib(results[name].get("peak_added_mib")) for name in THUMBNAILERS)
        label = f"{case['label']} ({case['input_bytes'] / MIB:.1f} MiB)"
        ratios = [_ratio_pair(case["ours_vs_libvips"]), _ratio_pair(case["ours_vs_tutorial"])]
        three = results.get("ours-3-sizes", {})
        three_sizes = f"{_ms(three.get('median_ms'))} ({three.get('decoders_per_run', 0):g})"
        table.add_row(label, *times, *ratios, peaks, three_sizes)
    return table


def _ratio_pair(ratios: dict[str, float | None]) -> str:
    return f"{_times(ratios['median_ms'])} ({_times(ratios['median_cpu_ms'])})"


def _mib(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _latency(summary: dict[str, Any] | None) -> str:
    if not summary:
        return "–"
    return f"{_ms(summary['p50'])} / {_ms(summary['p95'])} / {_ms(summary['max'])}"


def end_to_end_table(section: dict[str, Any]) -> Table:
    """One row per phase: latency to ready row and to the listing, throughput, emulator memory."""
    image = section["upload_image"]
    title = (
        f"End to end: {image['label']} ({image['bytes'] / 1024:.0f} KiB) uploads, "
        "ms after put_object (p50 / p95 / max); CPU of emulator and functions "
        "(not the API answering the polls); RSS at peak"
    )
    table = Table(title=title)
    table.add_column("phase", no_wrap=True)
    table.add_column("uploads", justify="right", no_wrap=True)
    table.add_column("row ready", justify="right", no_wrap=True)
    table.add_column("in GET /images", justify="right", no_wrap=True)
    table.add_column("images/s", justify="right")
    table.add_column("CPU ms/img (handler)", justify="right")
    table.add_column("emulator MiB (before → peak)", justify="right")
    table.add_column("handler MiB (workers)", justify="right")
    table.add_column("missing / failed", justify="right")

    for name, phase in section["phases"].items():
        ready = phase["results"]["row_ready"]
        listed = phase["results"].get("listed")
        memory = phase["emulator_rss_mib"]
        cpu = phase["cpu_s"]
        handler_s = cpu.get(phase["function"], 0.0) + cpu.get("exited workers", 0.0)
        per_image = 1000 / phase["uploads"]
        table.add_row(
            name,
            _upload_pattern(phase),
            _latency(ready["latency_ms"]),
            _latency(listed["latency_ms"]) if listed else "(no API)",
            f"{ready['throughput_per_s']:.1f}",
            f"{phase['pipeline_cpu_s'] * per_image:.0f} ({handler_s * per_image:.0f})",
            f"{memory['before']:.0f} → {memory['peak']:.0f}",
            f"{memory['handler_peak']:.0f} ({memory['handler_processes']})",
            f"{ready['missing']} / {ready['failed']}",
        )
    return table


def _upload_pattern(phase: dict[str, Any]) -> str:
    if phase["pace_per_s"]:
        return f"{phase['uploads']} at {phase['pace_per_s']:g}/s"
    return f"{phase['uploads']} × {phase['threads']} threads"


def end_to_end_ratios(section: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """Tutorial over ours for the same uploads (paced and small burst); above 1: ours is better."""
    phases = section["phases"]
    ratios: dict[str, dict[str, float | None]] = {}
    for kind in ("paced", "small"):
        tutorial = phases.get(f"tutorial-direct-{kind}")
        for trigger in ("queue", "direct"):
            ours = phases.get(f"ours-{trigger}-{kind}")
            if not tutorial or not ours:
                continue
            ratios[f"tutorial-direct-{kind} / ours-{trigger}-{kind}"] = {
                "p50": stats.ratio(_ready_latency(tutorial, "p50"), _ready_latency(ours, "p50")),
                "p95": stats.ratio(_ready_latency(tutorial, "p95"), _ready_latency(ours, "p95")),
                "cpu_per_image": stats.ratio(tutorial["pipeline_cpu_s"], ours["pipeline_cpu_s"]),
                "peak_rss": stats.ratio(
                    tutorial["emulator_rss_mib"]["handler_peak"],
                    ours["emulator_rss_mib"]["handler_peak"],
                ),
            }
    return ratios


def ratios_table(ratios: dict[str, dict[str, float | None]]) -> Table:
    """The tutorial's figures over ours, phase by phase (same uploads, same emulator)."""
    table = Table(title="Tutorial ÷ ours, same uploads (above 1×: ours is faster or leaner)")
    for column in ("phases", "row ready p50", "p95", "CPU per image", "handler workers' peak RSS"):
        table.add_column(column, justify="left" if column == "phases" else "right")
    for label, values in ratios.items():
        measures = ("p50", "p95", "cpu_per_image", "peak_rss")
        table.add_row(label, *(_times(values[measure]) for measure in measures))
    return table


def _ready_latency(phase: dict[str, Any], quantile: str) -> float | None:
    summary = phase["results"]["row_ready"]["latency_ms"]
    return None if not summary else float(summary[quantile])


def api_table(section: dict[str, Any]) -> Table:
    """One row per table size: our pages (HTTP API and bare queries) against the scans."""
    title = (
        f"GET /images, {section['page_limit']} per page: median ms of {section['repeats']} "
        "(items read)"
    )
    table = Table(title=title)
    columns = (
        "rows",
        "API page 1",
        "API page 10",
        "query page 1",
        "query page 10",
        "tutorial scan, 1 call",
        "tutorial scan, all pages",
    )
    for column in columns:
        table.add_column(column, justify="right")
    for size in section["sizes"]:
        table.add_row(
            f"{size['rows']:,}",
            _ms(size["api_first_page_ms"]),
            _ms(size.get("api_tenth_page_ms")),
            f"{_ms(size['query_first_page_ms'])} ({size['query_first_page_items_read']:,})",
            _with_count(size.get("query_tenth_page_ms"), size.get("query_tenth_page_items_read")),
            f"{_ms(size['scan_one_call_ms'])} ({size['scan_one_call_items']:,} listed)",
            f"{_ms(size['scan_all_ms'])} ({size['scan_all_items_read']:,})",
        )
    return table


def _with_count(value: float | None, count: int | None) -> str:
    return "–" if value is None or count is None else f"{_ms(value)} ({count:,})"


def cold_start_table(section: dict[str, Any]) -> Table:
    """One row per handler module: import and init time, and its heaviest imports."""
    title = (
        f"Cold start on {section['runtime']} (median of {section['repeats']}); "
        f"code zip {section['code_zip_bytes'] / 1024:.0f} KiB, "
        f"layer zip {section['layer_zip_bytes'] / MIB:.1f} MiB "
        f"({section['layer']['unpacked_bytes'] / MIB:.1f} MiB unpacked)"
    )
    table = Table(title=title)
    columns = ("handler", "import ms", "init ms", "RSS MiB", "heaviest imports (cumulative ms)")
    for column in columns:
        table.add_column(column, justify="left" if column.startswith("h") else "right")
    for name, handler in section["handlers"].items():
        heaviest = ", ".join(
            f"{entry['module']} {entry['cumulative_ms']:.0f}"
            for entry in handler["heaviest_imports"][:4]
        )
        table.add_row(
            name,
            _ms(handler["import_ms"]),
            _ms(handler["init_ms"]),
            f"{handler['peak_rss_mib']:.0f}",
            heaviest,
        )
    return table


def print_tables(console: Console, results: dict[str, Any]) -> None:
    """Print every section that ran."""
    if "compute" in results:
        console.print(compute_table(results["compute"]))
    if "end_to_end" in results:
        console.print(end_to_end_table(results["end_to_end"]))
        ratios = results["end_to_end"].get("ratios", {})
        if ratios:
            console.print(ratios_table(ratios))
    if "api" in results:
        console.print(api_table(results["api"]))
    if "cold_start" in results:
        console.print(cold_start_table(results["cold_start"]))


def write_json(path: Path, results: dict[str, Any]) -> None:
    """Write the results as indented JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
