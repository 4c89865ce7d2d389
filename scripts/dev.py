"""The project's front door: one command per task, runnable with a bare Python 3.11+.

    python3 scripts/dev.py up        start emulator, provision, start the gallery
    python3 scripts/dev.py test      every check and test (lint, types, unit, e2e, browser);
                                     further arguments go to pytest (test tests/unit -q)
    python3 scripts/dev.py down | status | reset     stop, inspect, wipe the sandbox
    python3 scripts/dev.py results | redrive | reprocess
    python3 scripts/dev.py bench | stress

It needs only the standard library: it first makes sure the project's virtual
environment (.venv) holds what pyproject.toml asks for, then runs the task
inside it.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_DIR = ROOT / ".venv"
VENV_PYTHON = VENV_DIR / "bin" / "python"
MARKER = VENV_DIR / "installed-pyproject.sha256"

TASKS = {
    "up": ["-m", "scripts.sandbox", "up"],
    "down": ["-m", "scripts.sandbox", "down"],
    "status": ["-m", "scripts.sandbox", "status"],
    "reset": ["-m", "scripts.sandbox", "reset"],
    "test": ["-m", "scripts.checks"],
    "bench": ["-m", "scripts.bench"],
    "stress": ["-m", "scripts.stress"],
    "results": ["-m", "scripts.results"],
    "redrive": ["-m", "scripts.redrive"],
    "reprocess": ["-m", "scripts.reprocess"],
}


def _pyproject_hash() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_virtualenv() -> None:
    """Create .venv and install the project into it when pyproject.toml changed."""
    if MARKER.exists() and MARKER.read_text().strip() == _pyproject_hash():
        return
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs on any python3 first
        sys.exit("Python 3.11 or newer is needed")

    print(f"preparing {VENV_DIR} (first run, or pyproject.toml changed)", flush=True)
    if not VENV_PYTHON.exists():
        venv.create(VENV_DIR, with_pip=True)
    pip = [str(VENV_PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
    MARKER.write_text(_pyproject_hash())


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        if len(sys.argv) >= 2:
            print(f"unknown task {sys.argv[1]!r}; the tasks are: {', '.join(TASKS)}\n")
        print(__doc__)
        return 2

    ensure_virtualenv()
    task, extra = sys.argv[1], sys.argv[2:]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "AWS_EC2_METADATA_DISABLED": "true"}
    command = [str(VENV_PYTHON), *TASKS[task], *extra]
    return subprocess.run(command, cwd=ROOT, env=environment).returncode


if __name__ == "__main__":
    sys.exit(main())
