"""Pixel conversions behind the thumbnails: any decoded colour mode in, upright sRGB RGB out.

Used by lambdas/renditions.py between decoding and JPEG encoding. Pure Pillow:
palettes, 16-bit and float greys, transparency, CMYK, ICC profiles, orientation.
"""

import io
from typing import cast

from PIL import Image, ImageCms

WHITE = (255, 255, 255)

# Modes Pillow resizes with proper filtering and ImageCms or convert() turn into RGB.
RESIZABLE_MODES = ("RGB", "RGBA", "L", "LA", "CMYK", "LAB")

# Modes that ImageCms.profileToProfile accepts, keyed to the ICC colour space they need.
ICC_COLOUR_SPACES = {"RGB": "RGB ", "L": "GRAY", "CMYK": "CMYK"}

# EXIF orientation tag value -> the transpose that makes the picture upright
# (EXIF 2.3 specification, tag 0x0112).
UPRIGHT_TRANSPOSES = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
SIDEWAYS_ORIENTATIONS = (5, 6, 7, 8)

SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
LAB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))


class UnsupportedModeError(ValueError):
    """A colour mode this module cannot turn into RGB."""


def upright_size(stored_size: tuple[int, int], orientation: int) -> tuple[int, int]:
    """Return the (width, height) an image has once its EXIF orientation is applied."""
    width, height = stored_size
    return (height, width) if orientation in SIDEWAYS_ORIENTATIONS else (width, height)


def apply_orientation(image: Image.Image, orientation: int) -> Image.Image:
    """Rotate or flip `image` so that an EXIF `orientation` of 1 would describe it."""
    method = UPRIGHT_TRANSPOSES.get(orientation)
    return image if method is None else image.transpose(method)


def make_resizable(image: Image.Image) -> Image.Image:
    """Convert a decoded image into one of RESIZABLE_MODES, keeping transparency as alpha.

    Palettes, bilevel and premultiplied modes are expanded; a transparent colour
    key (PNG tRNS, GIF transparency) becomes an alpha channel; 16-bit, 32-bit
    and float greys are scaled into 8 bits rather than clipped.
    Raises UnsupportedModeError for a mode Pillow cannot convert.
    """
    mode = image.mode
    has_colour_key = image.info.get("transparency") is not None
    if mode in ("P", "PA"):
        return image.convert("RGBA" if has_colour_key or mode == "PA" else "RGB")
    if mode in ("RGB", "L") and has_colour_key:
        return image.convert("RGBA" if mode == "RGB" else "LA")
    if mode in RESIZABLE_MODES:
        return image
    if mode.startswith("I") or mode == "F":
        return _scale_to_8bit_grey(image)

    target = {"1": "L", "La": "LA", "RGBa": "RGBA"}.get(mode, "RGB")
    try:
        return image.convert(target)
    except ValueError as exc:
        raise UnsupportedModeError(f"colour mode {mode} is not supported") from exc


def to_srgb_on_white(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Return an RGB image in sRGB, composited onto white, carrying no metadata.

    `image` is in one of RESIZABLE_MODES; `icc_profile` is the original's
    embedded profile, if any (without one, the pixels are taken as sRGB).
    """
    colour, alpha = _split_alpha(image)
    rgb = _convert_to_srgb(colour, icc_profile)

    # A fresh canvas carries no EXIF, ICC or comment from the original.
    canvas = Image.new("RGB", rgb.size, WHITE)
    canvas.paste(rgb, mask=alpha)
    return canvas


def _scale_to_8bit_grey(image: Image.Image) -> Image.Image:
    is_16_bit = image.mode.startswith("I;16")
    samples = image.convert("I") if is_16_bit else image
    nominal_white = 65535 if is_16_bit else 1.0 if image.mode == "F" else 255
    black, white = _grey_range(samples, nominal_white)

    factor = 255 / (white - black)
    offset = -black * factor
    scaled = samples.point(lambda value: value * factor + offset)
    return scaled.convert("L")


def _grey_range(samples: Image.Image, nominal_white: float) -> tuple[float, float]:
    """Return the sample values that become black and white in the 8-bit thumbnail.

    Deep greys carry no reliable white point (12-bit sensor data is stored in
    16 bits, floats in any range), so the darkest sample becomes black and the
    brightest white. A flat image keeps its level within the nominal range.
    """
    low, high = cast(tuple[float, float], samples.getextrema())
    if high > low:
        return low, high
    return min(low, 0), max(high, nominal_white)


def _split_alpha(image: Image.Image) -> tuple[Image.Image, Image.Image | None]:
    if image.mode == "RGBA":
        return image.convert("RGB"), image.getchannel("A")
    if image.mode == "LA":
        return image.convert("L"), image.getchannel("A")
    return image, None


def _convert_to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert colour through the embedded ICC profile when it fits the mode, else by formula."""
    if image.mode == "LAB":
        return _transform(image, LAB_PROFILE, "RGB") or image.convert("RGB")

    profile = _read_profile(icc_profile, image.mode)
    converted = _transform(image, profile, "RGB") if profile else None
    return converted or image.convert("RGB")


def _read_profile(icc_profile: bytes | None, mode: str) -> ImageCms.ImageCmsProfile | None:
    """Return the embedded profile when it is readable and describes `mode`'s colour space."""
    if not icc_profile:
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        colour_space = profile.profile.xcolor_space
    except (ImageCms.PyCMSError, OSError, TypeError, ValueError):
        # A damaged profile is ignored: the pixels are then taken as sRGB. Header
        # fields decode lazily, so a garbled colour space fails only here
        # (UnicodeDecodeError, a ValueError; found by fuzzing).
        return None
    return profile if colour_space == ICC_COLOUR_SPACES.get(mode) else None


def _transform(
    image: Image.Image, profile: ImageCms.ImageCmsProfile, output_mode: str
) -> Image.Image | None:
    """Map `image` from `profile` into sRGB; None when LittleCMS refuses the pair."""
    try:
        return ImageCms.profileToProfile(image, profile, SRGB_PROFILE, outputMode=output_mode)
    except ImageCms.PyCMSError:
        return None
