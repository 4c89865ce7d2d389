"""Unit tests of scripts/benchmarks/images.py: inputs have the size, format and frames asked."""

import dataclasses
import io
from pathlib import Path

import pytest
from PIL import Image

from scripts.benchmarks import images


def small(case: images.ImageCase) -> images.ImageCase:
    """The same recipe at a size a unit test draws in milliseconds."""
    return dataclasses.replace(case, width=case.width // 40, height=case.height // 40)


def test_photo_has_the_asked_size_and_is_rgb() -> None:
    photo = images.draw_photo(64, 48, seed=1)

    assert (photo.size, photo.mode) == ((64, 48), "RGB")


def test_same_seed_draws_the_same_pixels_and_another_seed_does_not() -> None:
    first = images.draw_photo(32, 24, seed=5).tobytes()

    assert images.draw_photo(32, 24, seed=5).tobytes() == first
    assert images.draw_photo(32, 24, seed=6).tobytes() != first


@pytest.mark.parametrize("case", images.COMPUTE_CASES, ids=lambda case: case.name)
def test_encoded_case_has_its_format_size_and_frames(case: images.ImageCase) -> None:
    recipe = small(case)

    with Image.open(io.BytesIO(images.encode_case(recipe))) as decoded:
        assert decoded.format == recipe.format
        assert decoded.size == (recipe.width, recipe.height)
        assert getattr(decoded, "n_frames", 1) == recipe.frames


@pytest.mark.parametrize(
    ("name", "width", "height", "megapixels"),
    [
        ("jpeg-12mp", 4032, 3024, 12.2),
        ("jpeg-24mp", 6000, 4000, 24.0),
        ("png-20mb", 3300, 2400, 7.9),
        ("webp-4k", 3840, 2160, 8.3),
        ("gif-animated", 1280, 720, 0.9),
    ],
)
def test_compute_cases_have_the_documented_dimensions(
    name: str, width: int, height: int, megapixels: float
) -> None:
    case = next(case for case in images.COMPUTE_CASES if case.name == name)

    assert (case.width, case.height) == (width, height)
    assert round(case.megapixels, 1) == megapixels


def test_upload_case_is_a_jpeg_of_two_and_a_half_megapixels() -> None:
    case = images.UPLOAD_CASE

    assert (case.format, case.width, case.height) == ("JPEG", 1920, 1280)


def test_digest_changes_with_the_recipe() -> None:
    case = images.COMPUTE_CASES[0]

    assert case.digest() == dataclasses.replace(case).digest()
    assert case.digest() != dataclasses.replace(case, seed=2).digest()


def test_cached_input_is_drawn_once_and_then_reused(tmp_path: Path) -> None:
    recipe = small(images.COMPUTE_CASES[0])

    path = images.cached_input(recipe, tmp_path)
    path.write_bytes(b"kept")

    assert images.cached_input(recipe, tmp_path) == path
    assert path.read_bytes() == b"kept"
    assert path.name == f"jpeg-12mp-{recipe.digest()}.jpg"
