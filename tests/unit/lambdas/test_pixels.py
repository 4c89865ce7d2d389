"""Unit tests of lambdas/pixels.py: colour modes, ICC profiles, transparency and orientation."""

import struct
from unittest import mock

import pytest
from PIL import Image, ImageCms

from lambdas import pixels

SRGB_BYTES = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def swap_red_and_blue_primaries(profile: bytes) -> bytes:
    """Return an RGB profile whose first channel is sRGB's blue and third channel sRGB's red.

    Swaps where the rXYZ and bXYZ entries of the ICC tag table point (ICC.1
    section 7.3: 128-byte header, tag count, then 12-byte signature/offset/size
    entries) and clears the profile id that would no longer match.
    """
    edited = bytearray(profile)
    count = struct.unpack_from(">I", edited, 128)[0]
    entries = {}
    for index in range(count):
        position = 132 + 12 * index
        signature, offset, size = struct.unpack_from(">4sII", edited, position)
        entries[signature] = (position, offset, size)

    red_position, red_offset, red_size = entries[b"rXYZ"]
    blue_position, blue_offset, blue_size = entries[b"bXYZ"]
    struct.pack_into(">4sII", edited, red_position, b"rXYZ", blue_offset, blue_size)
    struct.pack_into(">4sII", edited, blue_position, b"bXYZ", red_offset, red_size)
    edited[84:100] = bytes(16)
    return bytes(edited)


def assert_close(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 4) -> None:
    assert all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True)), (
        f"{actual} is not within {tolerance} of {expected}"
    )


def to_rgb(image: Image.Image, icc_profile: bytes | None = None) -> Image.Image:
    return pixels.to_srgb_on_white(pixels.make_resizable(image), icc_profile)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("1", "L"),
        ("L", "L"),
        ("P", "RGB"),
        ("PA", "RGBA"),
        ("LA", "LA"),
        ("La", "LA"),
        ("RGB", "RGB"),
        ("RGBA", "RGBA"),
        ("RGBa", "RGBA"),
        ("RGBX", "RGB"),
        ("YCbCr", "RGB"),
        ("HSV", "RGB"),
        ("CMYK", "CMYK"),
        ("LAB", "LAB"),
        ("I", "L"),
        ("I;16", "L"),
        ("I;16B", "L"),
        ("F", "L"),
    ],
)
def test_every_decoded_mode_becomes_a_resizable_mode(mode: str, expected: str) -> None:
    image = Image.new(mode, (4, 4))

    resizable = pixels.make_resizable(image)

    assert resizable.mode == expected
    assert to_rgb(image).mode == "RGB"


def test_mode_pillow_cannot_convert_is_unsupported() -> None:
    image = mock.create_autospec(Image.Image, instance=True)
    image.mode = "XYZ"
    image.info = {}
    image.convert.side_effect = ValueError("conversion not supported")

    with pytest.raises(pixels.UnsupportedModeError, match="colour mode XYZ is not supported"):
        pixels.make_resizable(image)


@pytest.mark.parametrize("mode", ["I;16", "I;16B", "I"])
def test_sixteen_bit_greys_are_scaled_not_clipped(mode: str) -> None:
    gradient = Image.linear_gradient("L").convert("I").point(lambda value: value * 257)
    image = gradient.convert(mode)

    grey = pixels.make_resizable(image)

    assert grey.getextrema() == (0, 255)
    assert grey.getpixel((0, 128)) == 128


def test_twelve_bit_data_in_sixteen_bits_is_stretched_to_full_range() -> None:
    gradient = Image.linear_gradient("L").convert("I").point(lambda value: value * 16 + 300)
    image = gradient.convert("I;16")

    grey = pixels.make_resizable(image)

    assert grey.getextrema() == (0, 255)


def test_float_greys_in_unit_range_are_scaled() -> None:
    image = Image.linear_gradient("L").convert("F").point(lambda value: value / 255)

    grey = pixels.make_resizable(image)

    assert grey.getextrema() == (0, 255)


def test_flat_sixteen_bit_image_keeps_its_level() -> None:
    image = Image.new("I;16", (4, 4), 32896)

    grey = pixels.make_resizable(image)

    assert grey.getpixel((0, 0)) == 128


def test_cmyk_without_profile_converts_by_formula() -> None:
    image = Image.new("CMYK", (4, 4), (0, 255, 255, 0))

    assert to_rgb(image).getpixel((0, 0)) == (255, 0, 0)


def test_embedded_icc_profile_is_converted_to_srgb() -> None:
    image = Image.new("RGB", (4, 4), (200, 30, 30))
    profile = swap_red_and_blue_primaries(SRGB_BYTES)

    converted = to_rgb(image, profile)

    assert_close(converted.getpixel((0, 0)), (30, 30, 200))


def test_srgb_profile_leaves_colours_alone() -> None:
    image = Image.new("RGB", (4, 4), (200, 30, 30))

    converted = to_rgb(image, SRGB_BYTES)

    assert_close(converted.getpixel((0, 0)), (200, 30, 30))


def test_profile_of_another_colour_space_is_ignored() -> None:
    image = Image.new("RGB", (4, 4), (200, 30, 30))
    lab_profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()

    converted = to_rgb(image, lab_profile)

    assert converted.getpixel((0, 0)) == (200, 30, 30)


def test_damaged_profile_is_ignored() -> None:
    image = Image.new("RGB", (4, 4), (200, 30, 30))

    converted = to_rgb(image, b"not an icc profile")

    assert converted.getpixel((0, 0)) == (200, 30, 30)


def test_icc_profile_applies_under_transparency() -> None:
    image = Image.new("RGBA", (4, 4), (200, 30, 30, 255))
    image.putpixel((0, 0), (0, 0, 0, 0))
    profile = swap_red_and_blue_primaries(SRGB_BYTES)

    converted = to_rgb(image, profile)

    assert converted.getpixel((0, 0)) == (255, 255, 255)
    assert_close(converted.getpixel((3, 3)), (30, 30, 200))


def test_lab_image_converts_to_srgb() -> None:
    white = Image.new("LAB", (4, 4), (255, 128, 128))

    converted = to_rgb(white)

    assert_close(converted.getpixel((0, 0)), (255, 255, 255))


def test_half_transparent_pixel_is_blended_with_white() -> None:
    image = Image.new("RGBA", (4, 4), (0, 0, 0, 128))

    converted = to_rgb(image)

    assert_close(converted.getpixel((0, 0)), (127, 127, 127), tolerance=1)


def test_output_carries_no_metadata() -> None:
    image = Image.new("RGB", (4, 4))
    image.info.update({"exif": b"Exif\x00\x00", "icc_profile": SRGB_BYTES, "comment": b"x"})

    converted = to_rgb(image)

    assert converted.info == {}


@pytest.mark.parametrize(
    ("orientation", "size"),
    [(1, (30, 20)), (3, (30, 20)), (6, (20, 30)), (8, (20, 30)), (9, (30, 20))],
)
def test_upright_size_swaps_edges_for_sideways_orientations(
    orientation: int, size: tuple[int, int]
) -> None:
    assert pixels.upright_size((30, 20), orientation) == size
