"""Packages are reproducible, so an unchanged build is neither rebuilt nor uploaded."""

import zipfile

from bootstrap import packaging


def test_code_package_is_byte_for_byte_reproducible() -> None:
    first = packaging.build_code_package()
    first_bytes = first.read()

    second = packaging.build_code_package()

    assert second.sha256 == first.sha256
    assert second.read() == first_bytes


def test_code_package_holds_only_the_lambdas_sources() -> None:
    package = packaging.build_code_package()

    names = zipfile.ZipFile(package.path).namelist()

    assert "lambdas/__init__.py" in names
    assert "lambdas/records.py" in names
    assert all(name.startswith("lambdas/") and name.endswith(".py") for name in names)


def test_layer_fingerprint_depends_on_runtime_and_architecture() -> None:
    base = packaging.layer_fingerprint("python3.12", "x86_64")

    assert packaging.layer_fingerprint("python3.12", "x86_64") == base
    assert packaging.layer_fingerprint("python3.11", "x86_64") != base
    assert packaging.layer_fingerprint("python3.12", "arm64") != base
