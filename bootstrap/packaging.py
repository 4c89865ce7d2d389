"""Lambda packaging: one code package (lambdas/) and one dependency layer, both cached by hash.

The layer is built from PyPI wheels for the runtime that will execute it (its
Python version and CPU architecture), never from what this machine runs.
Where layers are not applied (LocalStack's community image), a bundle holds
the layer's contents and the code in one package. Zips are byte-for-byte
reproducible, so an unchanged build has the same hash and nothing is rebuilt
or uploaded again.
"""

import base64
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bootstrap.settings import PROJECT_ROOT, SANDBOX_DIR

CODE_DIR = PROJECT_ROOT / "lambdas"
LAYER_REQUIREMENTS = CODE_DIR / "requirements.txt"
BUILD_DIR = SANDBOX_DIR / "build"

# A fixed timestamp keeps zips identical across builds (zip cannot store 1970).
_ZIP_EPOCH = (2020, 1, 1, 0, 0, 0)
# Where a Python layer's packages live; Lambda adds /opt/python to sys.path.
_LAYER_SITE_DIR = "python/"

# Amazon Linux 2023 (Python 3.12+ runtimes) has glibc 2.34; these tags cover
# every manylinux wheel that runs there, newest first.
_MANYLINUX_TAGS = ("manylinux_2_34", "manylinux_2_28", "manylinux_2_17", "manylinux2014")


class PackagingError(RuntimeError):
    """A Lambda package could not be built."""


@dataclass(frozen=True)
class Package:
    """A built zip and its hash as Lambda reports it (base64 SHA-256)."""

    path: Path
    sha256: str

    def read(self) -> bytes:
        return self.path.read_bytes()


def _zip_files(files: list[tuple[str, Path]]) -> bytes:
    return _zip_entries([(name, path.read_bytes) for name, path in files])


def _zip_entries(entries: list[tuple[str, Callable[[], bytes]]], comment: bytes = b"") -> bytes:
    """Zip (name, read) pairs in name order with fixed dates and modes: same input, same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, read in sorted(entries, key=lambda entry: entry[0]):
            info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, read())
        archive.comment = comment
    return buffer.getvalue()


def _lambda_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def _write_cached(name: str, data: bytes) -> Package:
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    path = BUILD_DIR / name
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    return Package(path, _lambda_sha256(data))


def _code_sources() -> list[tuple[str, Path]]:
    return [
        (f"lambdas/{path.relative_to(CODE_DIR).as_posix()}", path)
        for path in CODE_DIR.rglob("*.py")
        if "__pycache__" not in path.parts
    ]


def build_code_package() -> Package:
    """Zip the lambdas/ package (Python sources only) as `lambdas/...`."""
    return _write_cached("code.zip", _zip_files(_code_sources()))


def build_bundled_package(runtime: str, architecture: str) -> Package:
    """Build the code package with the dependency layer's packages beside `lambdas/`."""
    return bundle_with_code(build_layer(runtime, architecture))


def bundle_with_code(layer: Package) -> Package:
    """Merge `layer` (its `python/` tree moved to the zip root) and lambdas/ into one package.

    The function then imports Pillow and Powertools from its own package, as
    it would from /opt/python with the layer. The bundle is cached beside the
    layer; its zip comment records what it was built from, so a cached bundle
    is reused until the layer or a source file changes.
    """
    sources = _code_sources()
    digest = hashlib.sha256(layer.sha256.encode())
    for name, path in sorted(sources):
        digest.update(f"\n{name}\n".encode() + path.read_bytes())
    comment = digest.hexdigest().encode()

    cached = BUILD_DIR / f"bundle-{layer.path.stem.removeprefix('layer-')}.zip"
    if cached.exists():
        data = cached.read_bytes()
        if zipfile.ZipFile(io.BytesIO(data)).comment == comment:
            return Package(cached, _lambda_sha256(data))

    with zipfile.ZipFile(layer.path) as archive:
        entries: list[tuple[str, Callable[[], bytes]]] = [
            (info.filename.removeprefix(_LAYER_SITE_DIR), partial(archive.read, info))
            for info in archive.infolist()
            if info.filename.startswith(_LAYER_SITE_DIR) and not info.is_dir()
        ]
        entries += [(name, path.read_bytes) for name, path in sources]
        data = _zip_entries(entries, comment)
    return _replace_cached(cached, data)


def _replace_cached(path: Path, data: bytes) -> Package:
    # Atomic: a concurrent run reads the old bundle or the new one, never half of one.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial_path = path.with_suffix(f".{os.getpid()}.tmp")
    partial_path.write_bytes(data)
    partial_path.replace(path)
    return Package(path, _lambda_sha256(data))


def layer_fingerprint(runtime: str, architecture: str) -> str:
    """Hash everything that decides the layer's content: requirements, runtime and CPU."""
    digest = hashlib.sha256()
    digest.update(LAYER_REQUIREMENTS.read_bytes())
    digest.update(f"\n{runtime}\n{architecture}\n".encode())
    return digest.hexdigest()[:16]


def build_layer(runtime: str, architecture: str) -> Package:
    """Build (or reuse from the cache) the dependency layer for `runtime` on `architecture`."""
    fingerprint = layer_fingerprint(runtime, architecture)
    cached = BUILD_DIR / f"layer-{fingerprint}.zip"
    if cached.exists():
        return Package(cached, _lambda_sha256(cached.read_bytes()))

    with tempfile.TemporaryDirectory() as scratch:
        site_dir = Path(scratch) / "python"
        _pip_install_for_runtime(site_dir, runtime, architecture)
        files = [
            (path.relative_to(scratch).as_posix(), path)
            for path in Path(scratch).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        ]
        return _write_cached(cached.name, _zip_files(files))


def _pip_install_for_runtime(site_dir: Path, runtime: str, architecture: str) -> None:
    python_version = runtime.removeprefix("python")
    machine = "aarch64" if architecture == "arm64" else "x86_64"
    platforms = [arg for tag in _MANYLINUX_TAGS for arg in ("--platform", f"{tag}_{machine}")]
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--target",
        str(site_dir),
        "--implementation",
        "cp",
        "--python-version",
        python_version,
        "--only-binary=:all:",
        *platforms,
        "-r",
        str(LAYER_REQUIREMENTS),
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        shutil.rmtree(site_dir, ignore_errors=True)
        raise PackagingError(
            f"pip could not build the layer for {runtime}/{architecture}: "
            f"{result.stderr.strip()[-800:]}"
        )
