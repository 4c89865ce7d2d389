"""Draw a benchmark run as one PNG: compute, end to end, API pages and cold start side by side."""

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: draw straight into the PNG

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

THUMBNAILERS = ("ours", "tutorial", "libvips")
BAR_WIDTH = 0.27


def _compute(axes: Axes, section: dict[str, Any]) -> None:
    cases = section["cases"]
    positions = range(len(cases))
    for offset, name in enumerate(THUMBNAILERS):
        at = [p + (offset - 1) * BAR_WIDTH for p in positions]
        wall = [case["results"][name].get("median_ms") or 0 for case in cases]
        cpu = [case["results"][name].get("median_cpu_ms") or 0 for case in cases]
        axes.bar(at, wall, BAR_WIDTH, label=name)
        axes.scatter(at, cpu, marker="_", s=300, color="black")
    axes.scatter([], [], marker="_", color="black", label="CPU time")
    axes.set_xticks(list(positions), [case["label"] for case in cases], rotation=15)
    axes.set_ylabel("ms per thumbnail (median wall; dash: CPU)")
    axes.set_title("Thumbnail compute")
    axes.legend()


def _end_to_end(axes: Axes, section: dict[str, Any]) -> None:
    phases = section["phases"]
    names = list(phases)
    for offset, quantile in enumerate(("p50", "p95")):
        values = [
            (phases[name]["results"]["row_ready"]["latency_ms"] or {}).get(quantile, 0) / 1000
            for name in names
        ]
        positions = [p + (offset - 0.5) * BAR_WIDTH for p in range(len(names))]
        axes.bar(positions, values, BAR_WIDTH, label=f"row ready {quantile}")
    labels = [f"{name.replace('-', chr(10))}\n({phases[name]['uploads']})" for name in names]
    axes.set_xticks(range(len(names)), labels, fontsize="small")
    axes.set_yscale("log")
    axes.set_ylabel("seconds after upload (log)")
    axes.set_title("End to end on the embedded emulator")
    axes.legend()


def _api(axes: Axes, section: dict[str, Any]) -> None:
    sizes = section["sizes"]
    rows = [size["rows"] for size in sizes]
    series = {
        "API page 1": "api_first_page_ms",
        "API page 10": "api_tenth_page_ms",
        "query page 1": "query_first_page_ms",
        "tutorial scan, 1 call": "scan_one_call_ms",
        "tutorial scan, all pages": "scan_all_ms",
    }
    for label, name in series.items():
        axes.plot(rows, [size.get(name) for size in sizes], marker="o", label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("rows in the table")
    axes.set_ylabel("ms (median, log)")
    axes.set_title("GET /images against the tutorial's scan")
    axes.legend(fontsize="small")


def _cold_start(axes: Axes, section: dict[str, Any]) -> None:
    handlers = section["handlers"]
    names = list(handlers)
    imports = [handlers[name]["import_ms"] for name in names]
    inits = [handlers[name]["init_ms"] for name in names]
    axes.bar(names, imports, label="import")
    axes.bar(names, inits, bottom=imports, label="init")
    axes.set_ylabel("ms (median)")
    axes.set_title(f"Cold start ({section['runtime']})")
    axes.legend()


def draw(path: Path, results: dict[str, Any]) -> None:
    """Draw every section that ran into a 2×2 grid and save it as PNG at `path`."""
    figure, grid = plt.subplots(2, 2, figsize=(15, 10))
    panels = [
        ("compute", _compute),
        ("end_to_end", _end_to_end),
        ("api", _api),
        ("cold_start", _cold_start),
    ]
    for axes, (section, draw_panel) in zip(grid.flat, panels, strict=True):
        if section in results:
            draw_panel(axes, results[section])
        else:
            axes.set_axis_off()
            axes.set_title(f"{section}: not run")

    machine = results.get("machine", {})
    figure.suptitle(
        f"image pipeline benchmark, {machine.get('recorded_at', '')}: "
        f"{machine.get('nproc')} × {machine.get('cpu_model')}, Pillow {machine.get('pillow')}, "
        f"libvips {machine.get('libvips')}"
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
