"""Every check and test the project has, in one run: lint, types, the gallery's checks, pytest.

This is what `python3 scripts/dev.py test` (and so CI) runs. pytest goes last,
so its closing line is the run's closing line.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from scripts.gallery import FRONTEND_DIR

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("PIPELINE_CHROMIUM", "/usr/bin/chromium"))


def _run(title: str, command: list[str], cwd: Path = ROOT) -> bool:
    print(f"\n== {title}: {' '.join(command)}", flush=True)
    return subprocess.run(command, cwd=cwd).returncode == 0


def _ensure_chromium() -> bool:
    """Install Debian's Chromium for the browser tests when it is missing and we may."""
    if CHROMIUM.exists():
        return True
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        print(
            f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' package "
            "(or set PIPELINE_CHROMIUM to its path)"
        )
        return False
    print("installing Debian's chromium for the browser tests", flush=True)
    quiet = {"stdout": subprocess.DEVNULL}
    return (
        subprocess.run(["apt-get", "update"], **quiet).returncode == 0
        and subprocess.run(["apt-get", "install", "-y", "chromium"], **quiet).returncode == 0
    )


def _frontend_checks() -> list[str]:
    npm = shutil.which("npm")
    if npm is None:
        print("npm not found: install Node.js 20 or newer")
        return ["npm"]
    failed = []
    if not _run("gallery: install", [npm, "ci", "--no-audit", "--no-fund"], FRONTEND_DIR):
        return ["npm ci"]
    for script in ("lint", "typecheck", "format:check", "test"):
        if not _run(f"gallery: {script}", [npm, "run", script], FRONTEND_DIR):
            failed.append(f"npm run {script}")
    return failed


def main(argv: list[str]) -> int:
    python = sys.executable
    failed = []
    if not _run("ruff", [python, "-m", "ruff", "check", "."]):
        failed.append("ruff check")
    if not _run("ruff format", [python, "-m", "ruff", "format", "--check", "."]):
        failed.append("ruff format")
    if not _run("mypy", [python, "-m", "mypy"]):
        failed.append("mypy")
    failed += _frontend_checks()
    if not _ensure_chromium():
        failed.append("chromium")

    tests_passed = _run("pytest", [python, "-m", "pytest", *argv])
    if failed:
        print(f"checks failed: {', '.join(failed)}", file=sys.stderr)
    return 0 if tests_passed and not failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
