"""The gallery in the embedded sandbox: installed, rebuilt when its sources change, run."""

import fcntl
import hashlib
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bootstrap.settings import SANDBOX_DIR
from scripts.processes import read_pid, start_background, stop_background

FRONTEND_DIR = Path(__file__).resolve().parent.parent / "frontend"
# Where the markers of the last install and build live, whoever asked for them.
BUILD_STATE_DIR = SANDBOX_DIR / "gallery-build"
HEALTH_PATH = "/api/health"
START_TIMEOUT_S = 60.0
_SOURCE_SKIP = {"node_modules", ".next", "out"}


class GalleryError(RuntimeError):
    """The gallery could not be installed, built or started."""


def _npm(arguments: list[str], report: Callable[[str], None]) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise GalleryError("npm not found: install Node.js 20 or newer")
    result = subprocess.run([npm, *arguments], cwd=FRONTEND_DIR, capture_output=True, text=True)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()[-1500:]
        raise GalleryError(f"npm {' '.join(arguments)} failed:\n{output}")


def source_hash() -> str:
    """Hash the gallery's sources, so an unchanged gallery is not built again."""
    digest = hashlib.sha256()
    for path in sorted(FRONTEND_DIR.rglob("*")):
        relative = path.relative_to(FRONTEND_DIR)
        if path.is_file() and not _SOURCE_SKIP & set(relative.parts):
            digest.update(relative.as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_built(report: Callable[[str], None] = print) -> None:
    """Install dependencies and build the gallery when its sources changed since the last build.

    Holds a lock meanwhile: two `next build` runs in one folder fail, and a
    sandbox and a test run may both ask for a build at once.
    """
    BUILD_STATE_DIR.mkdir(parents=True, exist_ok=True)
    with (BUILD_STATE_DIR / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _install_and_build(BUILD_STATE_DIR, report)


def _install_and_build(state_dir: Path, report: Callable[[str], None]) -> None:
    lock_hash = hashlib.sha256((FRONTEND_DIR / "package-lock.json").read_bytes()).hexdigest()
    installed_marker = state_dir / "gallery-installed.hash"
    if not (FRONTEND_DIR / "node_modules").exists() or _read(installed_marker) != lock_hash:
        report("installing the gallery's npm packages")
        _npm(["ci", "--no-audit", "--no-fund"], report)
        _write(installed_marker, lock_hash)

    built_marker = state_dir / "gallery-built.hash"
    current = source_hash()
    if not (FRONTEND_DIR / ".next").exists() or _read(built_marker) != current:
        report("building the gallery")
        _npm(["run", "build"], report)
        _write(built_marker, current)


def _read(path: Path) -> str | None:
    return path.read_text().strip() if path.exists() else None


def _write(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value)


def is_answering(url: str) -> bool:
    """Tell whether a gallery answers its health check at `url`."""
    try:
        with urllib.request.urlopen(url + HEALTH_PATH, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def start(state_dir: Path, port: int, api_url: str, max_upload_bytes: int) -> int:
    """Start the gallery on 127.0.0.1:`port` against `api_url`; return its pid when healthy."""
    npm = shutil.which("npm") or "npm"
    environment = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(state_dir)),
        "NODE_ENV": "production",
        "PORT": str(port),
        "HOSTNAME": "127.0.0.1",
        "GALLERY_API_URL": api_url,
        "PIPELINE_MAX_UPLOAD_BYTES": str(max_upload_bytes),
        "NEXT_TELEMETRY_DISABLED": "1",
    }
    pid_file = state_dir / "gallery.pid"
    pid = start_background(
        [npm, "run", "start"], environment, FRONTEND_DIR, state_dir / "gallery.log", pid_file
    )

    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if read_pid(pid_file) is None:
            raise GalleryError(f"the gallery exited at start; see {state_dir / 'gallery.log'}")
        if is_answering(url):
            return pid
        time.sleep(0.3)
    stop(state_dir)
    raise GalleryError(f"the gallery gave no answer in {START_TIMEOUT_S:.0f} s")


def stop(state_dir: Path) -> bool:
    """Stop the gallery we started; False when none was running."""
    return stop_background(state_dir / "gallery.pid")
