"""Cold start of each handler module, and the size of the code package and the layer.

Each figure comes from a fresh process of the emulator's Python (the one MiniStack runs
functions with) that sees only the unpacked packages, as a Lambda sandbox does.
"""

import json
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bootstrap import packaging
from scripts.benchmarks import stats, tutorial_stack

# Handler module, and the statement that builds what it builds on first use.
HANDLERS = {
    "processor": ("lambdas.processor", "module.load_services()"),
    "api": ("lambdas.api", "module.get_services(); module.get_app()"),
    "tutorial": ("lambda_function", "module._s3(); module._table()"),
}

# Import, then init (settings and clients, no network call), then the peak RSS:
# what each warm worker costs at least. VmHWM, not ru_maxrss, which would count
# the parent the process was forked from.
PROBE = """
import importlib, json, time
started = time.perf_counter()
module = importlib.import_module({module!r})
imported = time.perf_counter()
{init}
initialised = time.perf_counter()
import_ms = (imported - started) * 1000
init_ms = (initialised - imported) * 1000
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
peak_rss_mib = int(status["VmHWM"].split()[0]) / 1024
print(json.dumps({{"import_ms": import_ms, "init_ms": init_ms, "peak_rss_mib": peak_rss_mib}}))
"""

# Nothing listens on port 9 (discard): init creates clients but must never call them.
SANDBOX_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "PYTHONDONTWRITEBYTECODE": "1",
}


def _unpack(archive: Path | bytes, target: Path) -> None:
    source = archive if isinstance(archive, Path) else _as_file(archive, target.parent)
    with zipfile.ZipFile(source) as opened:
        opened.extractall(target)


def _as_file(data: bytes, directory: Path) -> Path:
    path = directory / "tutorial.zip"
    path.write_bytes(data)
    return path


def _run_probe(python: Path, paths: list[Path], module: str, init: str) -> dict[str, float]:
    environment = {**SANDBOX_ENVIRONMENT, "PYTHONPATH": ":".join(str(p) for p in paths)}
    code = PROBE.format(module=module, init=init)
    finished = subprocess.run(
        [str(python), "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    return dict(json.loads(finished.stdout))


def parse_importtime(stderr: str, count: int) -> list[dict[str, Any]]:
    """Return the `count` slowest packages of a `python -X importtime` report.

    A package counts once, by its top-level name, with the largest cumulative
    time of its entries at whatever depth (boto3 imported by our module is
    still boto3; PIL's cost is in PIL.Image, which the PIL entry does not hold).
    """
    slowest: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or line.count("|") != 2:
            continue
        _, cumulative, package = line.split(":", 1)[1].split("|")
        name = package.strip().split(".")[0]
        if not cumulative.strip().isdigit():
            continue
        slowest[name] = max(slowest.get(name, 0.0), int(cumulative) / 1000)
    ordered = sorted(slowest.items(), key=lambda pair: pair[1], reverse=True)
    return [{"module": name, "cumulative_ms": ms} for name, ms in ordered[:count]]


def _heaviest_imports(python: Path, paths: list[Path], module: str) -> list[dict[str, Any]]:
    environment = {**SANDBOX_ENVIRONMENT, "PYTHONPATH": ":".join(str(p) for p in paths)}
    finished = subprocess.run(
        [str(python), "-X", "importtime", "-c", f"import {module}"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    root = module.split(".")[0]
    imports = parse_importtime(finished.stderr, 7)
    return [entry for entry in imports if entry["module"] != root][:6]


def _layer_contents(layer: Path) -> dict[str, Any]:
    sizes: dict[str, int] = {}
    with zipfile.ZipFile(layer) as opened:
        for info in opened.infolist():
            parts = info.filename.split("/")
            # python/<package>/... or python/<module>.py: group by what sits in python/.
            top = parts[1] if len(parts) > 1 else parts[0]
            sizes[top] = sizes.get(top, 0) + info.file_size
    largest = sorted(sizes.items(), key=lambda pair: pair[1], reverse=True)[:6]
    return {
        "unpacked_bytes": sum(sizes.values()),
        "largest": [{"name": name, "unpacked_bytes": size} for name, size in largest],
    }


def run(
    python: Path, runtime: str, architecture: str, repeats: int, report: Callable[[str], None]
) -> dict[str, Any]:
    """Measure every handler's cold start `repeats` times; return the JSON section 'cold_start'."""
    report("cold start: packages")
    code = packaging.build_code_package()
    layer = packaging.build_layer(runtime, architecture)
    tutorial_zip = tutorial_stack.build_function_zip(tutorial_stack.TutorialNames())

    handlers: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-coldstart-") as scratch:
        root = Path(scratch)
        _unpack(code.path, root / "code")
        _unpack(layer.path, root / "layer")
        _unpack(tutorial_zip, root / "tutorial")
        layer_site = root / "layer" / "python"
        for name, (module, init) in HANDLERS.items():
            report(f"cold start: {name}")
            paths = [root / ("tutorial" if name == "tutorial" else "code"), layer_site]
            samples = [_run_probe(python, paths, module, init) for _ in range(repeats)]
            handlers[name] = {
                "import_ms": stats.median([s["import_ms"] for s in samples]),
                "init_ms": stats.median([s["init_ms"] for s in samples]),
                "peak_rss_mib": stats.median([s["peak_rss_mib"] for s in samples]),
                "heaviest_imports": _heaviest_imports(python, paths, module),
            }

    return {
        "runtime": runtime,
        "architecture": architecture,
        "repeats": repeats,
        "handlers": handlers,
        "code_zip_bytes": code.path.stat().st_size,
        "tutorial_zip_bytes": len(tutorial_zip),
        "layer_zip_bytes": layer.path.stat().st_size,
        "layer": _layer_contents(layer.path),
    }
