"""Community mode: dependencies bundled into the code, a function URL instead of the HTTP API.

The bundle is checked with a small layer built in the test; the stack switch
runs the real provisioning against moto, in both directions and back.
"""

import io
import zipfile
from pathlib import Path

import pytest

from bootstrap import packaging

FAKE_LAYER_FILES = {
    "python/PIL/__init__.py": b"# Pillow stand-in\n",
    "python/PIL/_imaging.cpython-312-x86_64-linux-gnu.so": b"\x7fELF fake",
    "python/pillow.libs/libjpeg.so.62": b"\x7fELF jpeg",
    "python/aws_lambda_powertools/__init__.py": b"# Powertools stand-in\n",
}


def _write_zip(path: Path, files: dict[str, bytes]) -> packaging.Package:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("python/", b"")
        for name, data in files.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return packaging.Package(path, packaging._lambda_sha256(buffer.getvalue()))


@pytest.fixture
def build_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep the test's bundles out of the project's build cache."""
    monkeypatch.setattr(packaging, "BUILD_DIR", tmp_path / "build")
    return tmp_path / "build"


@pytest.fixture
def fake_layer(tmp_path: Path, build_dir: Path) -> packaging.Package:
    return _write_zip(tmp_path / "layer-0123456789abcdef.zip", FAKE_LAYER_FILES)


def _names(package: packaging.Package) -> list[str]:
    return zipfile.ZipFile(package.path).namelist()


def test_bundle_puts_the_layers_packages_at_the_root_beside_the_code(
    fake_layer: packaging.Package,
) -> None:
    bundle = packaging.bundle_with_code(fake_layer)

    names = _names(bundle)
    code_names = _names(packaging.build_code_package())
    assert sorted(set(names) - set(code_names)) == [
        "PIL/__init__.py",
        "PIL/_imaging.cpython-312-x86_64-linux-gnu.so",
        "aws_lambda_powertools/__init__.py",
        "pillow.libs/libjpeg.so.62",
    ]
    assert set(code_names) <= set(names)
    assert not any(name.startswith("python/") for name in names)


def test_bundle_keeps_every_file_byte_for_byte(fake_layer: packaging.Package) -> None:
    bundle = zipfile.ZipFile(packaging.bundle_with_code(fake_layer).path)

    assert bundle.read("PIL/_imaging.cpython-312-x86_64-linux-gnu.so") == b"\x7fELF fake"
    assert bundle.read("lambdas/records.py") == (packaging.CODE_DIR / "records.py").read_bytes()


def test_bundle_is_cached_beside_the_layer_by_its_fingerprint(
    fake_layer: packaging.Package, build_dir: Path
) -> None:
    bundle = packaging.bundle_with_code(fake_layer)

    assert bundle.path == build_dir / "bundle-0123456789abcdef.zip"
    assert sorted(path.name for path in build_dir.iterdir()) == ["bundle-0123456789abcdef.zip"]


def test_bundle_is_byte_for_byte_reproducible(
    fake_layer: packaging.Package, build_dir: Path
) -> None:
    first = packaging.bundle_with_code(fake_layer)
    first_bytes = first.read()
    first.path.unlink()

    rebuilt = packaging.bundle_with_code(fake_layer)
    reused = packaging.bundle_with_code(fake_layer)

    assert rebuilt.read() == first_bytes
    assert rebuilt.sha256 == reused.sha256 == first.sha256


def test_bundle_is_rebuilt_when_the_layer_changes(fake_layer: packaging.Package) -> None:
    first = packaging.bundle_with_code(fake_layer)
    changed_files = {**FAKE_LAYER_FILES, "python/PIL/__init__.py": b"# a newer Pillow\n"}
    changed = _write_zip(fake_layer.path, changed_files)

    second = packaging.bundle_with_code(changed)

    assert second.path == first.path
    assert second.sha256 != first.sha256
    assert zipfile.ZipFile(second.path).read("PIL/__init__.py") == b"# a newer Pillow\n"
