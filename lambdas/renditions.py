"""Turn the bytes of an uploaded image into JPEG thumbnails: the pure image step of the pipeline.

Bytes in, renditions out, no AWS. The processor (lambdas/processor.py) feeds it
the original and stores what comes back; anything that can never become a
thumbnail raises an `ImageRejectedError` whose `reason` a person can read.
"""

import io
import struct
from collections.abc import Sequence
from dataclasses import dataclass

import pillow_heif
from PIL import ExifTags, Image, ImageFile, UnidentifiedImageError

from lambdas import pixels

DEFAULT_MAX_EDGES = (200,)
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_MAX_PIXELS = 64_000_000
JPEG_QUALITY = 85

# Decoding at twice the target size before the final Lanczos resize keeps
# thumbnails sharp; Pillow's own Image.thumbnail uses the same reducing gap.
DRAFT_REDUCING_GAP = 2

# Resize first shrinks by a whole factor with a box filter, then filters with
# Lanczos from 3x the target: about 15x faster on large PNGs, visually the same
# (https://pillow.readthedocs.io/en/stable/reference/Image.html#PIL.Image.Image.resize).
RESIZE_REDUCING_GAP = 3.0

CONTENT_TYPES = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "TIFF": "image/tiff",
    "BMP": "image/bmp",
    "AVIF": "image/avif",
    "HEIF": "image/heic",
}

# Phone cameras store many JPEGs as MPO (JPEG plus depth or preview frames);
# Pillow's JPEG opener returns those itself, so MPO is no opener of its own.
JPEG_FORMATS = ("JPEG", "MPO")
SUPPORTED_FORMATS = tuple(name for name in CONTENT_TYPES if name != "MPO")

# What Pillow's decoders raise on malformed input, besides its own error classes.
# RuntimeError: the AVIF and HEIF decoders (libavif, libheif) report damaged
# files with it, and readers meeting a variant they lack raise its subclass
# NotImplementedError (DDS pixel formats), found by fuzzing.
DECODER_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    struct.error,
    RuntimeError,
)

SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
    b"BM": "BMP",
}

pillow_heif.register_heif_opener()


class ImageRejectedError(Exception):
    """An upload that can never become a thumbnail; `reason` says why, for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EmptyImageError(ImageRejectedError):
    """The upload has no bytes at all."""


class TooManyBytesError(ImageRejectedError):
    """The upload is larger than the accepted byte size."""


class NotAnImageError(ImageRejectedError):
    """The bytes are not an image in any format we know."""


class UnsupportedImageError(ImageRejectedError):
    """An image, but in a format or colour mode the pipeline does not handle."""


class TooManyPixelsError(ImageRejectedError):
    """The image declares more pixels than may be decoded safely."""


class TruncatedImageError(ImageRejectedError):
    """The image data ends before the image does."""


class CorruptImageError(ImageRejectedError):
    """The image data is damaged and cannot be decoded."""


@dataclass(frozen=True)
class Thumbnail:
    """One JPEG rendition that fits within `max_edge` × `max_edge` pixels."""

    max_edge: int
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class ImageRenditions:
    """What was learnt about an original and the thumbnails made from it.

    `width` and `height` are the original's size as displayed (after EXIF
    orientation); `mode` is the colour mode it was stored in.
    """

    format: str
    content_type: str
    mode: str
    width: int
    height: int
    thumbnails: tuple[Thumbnail, ...]


def make_renditions(
    data: bytes,
    max_edges: Sequence[int] = DEFAULT_MAX_EDGES,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> ImageRenditions:
    """Decode `data` once and make one upright sRGB JPEG thumbnail per longest edge in `max_edges`.

    Sizes are checked before anything is decoded: the byte size first, then
    width × height from the header. Animated images give their first frame.
    Raises an `ImageRejectedError` subclass for input that can never succeed.
    """
    edges = tuple(dict.fromkeys(max_edges))
    if not edges or min(edges) < 1:
        raise ValueError(f"max_edges must be positive pixel sizes, not {max_edges!r}")
    check_byte_size(len(data), max_bytes)

    image = open_image(data, max_pixels)
    stored_size, stored_mode = image.size, image.mode
    largest_target = fit_within(*stored_size, max(edges))
    decoded = decode_first_frame(image, largest_target)

    orientation = _read_orientation(decoded)
    icc_profile = decoded.info.get("icc_profile")
    resizable = _make_resizable(decoded)
    thumbnails = tuple(
        _make_thumbnail(resizable, stored_size, edge, orientation, icc_profile) for edge in edges
    )

    width, height = pixels.upright_size(stored_size, orientation)
    image_format = image.format or ""
    return ImageRenditions(
        format=image_format,
        content_type=CONTENT_TYPES[image_format],
        mode=stored_mode,
        width=width,
        height=height,
        thumbnails=thumbnails,
    )


def fit_within(width: int, height: int, max_edge: int) -> tuple[int, int]:
    """Scale (width, height) down so the longest edge is `max_edge`; never scale up.

    The short edge is rounded to the nearest pixel (1800×1200 within 200 gives
    200×133) and is at least one pixel.
    """
    longest = max(width, height)
    if longest <= max_edge:
        return width, height

    def scale(edge: int) -> int:
        return max(1, (2 * edge * max_edge + longest) // (2 * longest))

    return scale(width), scale(height)


def check_byte_size(byte_size: int, max_bytes: int) -> None:
    """Reject an empty upload or one larger than `max_bytes`, before reading it if possible.

    Raises EmptyImageError or TooManyBytesError.
    """
    if byte_size == 0:
        raise EmptyImageError("the file is empty (0 bytes)")
    if byte_size > max_bytes:
        raise TooManyBytesError(
            f"the file is {byte_size:,} bytes, more than the {max_bytes:,} bytes allowed"
        )


def open_image(data: bytes, max_pixels: int) -> ImageFile.ImageFile:
    """Read the header only and check width × height before any pixel is decoded.

    Raises TooManyPixelsError, NotAnImageError, UnsupportedImageError or
    CorruptImageError.
    """
    try:
        image = Image.open(io.BytesIO(data), formats=SUPPORTED_FORMATS)
    except Image.DecompressionBombError as exc:
        # Pillow refuses sizes above twice Image.MAX_IMAGE_PIXELS while reading the header.
        limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
        raise TooManyPixelsError(
            f"too many pixels: the image declares more than {limit:,} pixels, "
            f"the limit is {max_pixels:,}"
        ) from exc
    except UnidentifiedImageError as exc:
        raise _explain_unidentified(data) from exc
    except DECODER_ERRORS as exc:
        raise CorruptImageError("the image header is damaged and cannot be read") from exc

    width, height = image.size
    if width * height > max_pixels:
        raise TooManyPixelsError(
            f"too many pixels: {width}×{height} is {width * height:,} pixels, "
            f"the limit is {max_pixels:,}"
        )
    return image


def _explain_unidentified(data: bytes) -> ImageRejectedError:
    """Tell an unsupported image format from a cut-short header and from non-images."""
    other_format = _identify_with_any_plugin(data)
    if other_format:
        supported = ", ".join(SUPPORTED_FORMATS)
        return UnsupportedImageError(
            f"unsupported image format {other_format} (supported: {supported})"
        )

    looks_like = _sniff_format(data)
    if looks_like:
        return CorruptImageError(
            f"the file starts like a {looks_like} image but its header is damaged or cut short"
        )
    return NotAnImageError("the file is not an image in any supported format")


def _identify_with_any_plugin(data: bytes) -> str | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.format
    except (Image.DecompressionBombError, *DECODER_ERRORS):
        return None


def _sniff_format(data: bytes) -> str | None:
    for signature, name in SIGNATURES.items():
        if data.startswith(signature):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp":
        return "AVIF or HEIC"
    return None


def decode_first_frame(image: ImageFile.ImageFile, largest_target: tuple[int, int]) -> Image.Image:
    """Decode the first frame; JPEGs at the smallest DCT scale that covers twice the target.

    Image.draft lets libjpeg decode at 1/2, 1/4 or 1/8 scale, so a 24 MP photo
    never exists in memory at full size (https://pillow.readthedocs.io/en/stable/
    reference/Image.html#PIL.Image.Image.draft).
    """
    if image.format in JPEG_FORMATS:
        target_width, target_height = largest_target
        image.draft(None, (target_width * DRAFT_REDUCING_GAP, target_height * DRAFT_REDUCING_GAP))

    try:
        image.load()
    except DECODER_ERRORS as exc:
        raise _explain_decode_error(image, exc) from exc
    return image


def _explain_decode_error(image: Image.Image, error: Exception) -> ImageRejectedError:
    message = str(error).lower()
    if isinstance(error, EOFError) or "truncat" in message or "end of file" in message:
        return TruncatedImageError(f"the {image.format} image data ends before the image does")
    return CorruptImageError(f"the {image.format} image data is damaged and cannot be decoded")


def _make_resizable(image: Image.Image) -> Image.Image:
    try:
        return pixels.make_resizable(image)
    except pixels.UnsupportedModeError as exc:
        raise UnsupportedImageError(str(exc)) from exc


def _read_orientation(image: Image.Image) -> int:
    """Return the EXIF orientation (1-8), treating a missing or unreadable tag as upright."""
    try:
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    except DECODER_ERRORS:
        # A damaged EXIF block should not cost the upload its thumbnail.
        return 1
    return orientation if orientation in range(1, 9) else 1


def _make_thumbnail(
    image: Image.Image,
    stored_size: tuple[int, int],
    max_edge: int,
    orientation: int,
    icc_profile: bytes | None,
) -> Thumbnail:
    # Sizes come from the original's size, not the drafted one, so the result
    # is the same whatever scale libjpeg decoded at.
    target = fit_within(*stored_size, max_edge)
    resized = image
    if image.size != target:
        resized = image.resize(target, Image.Resampling.LANCZOS, reducing_gap=RESIZE_REDUCING_GAP)

    rgb = pixels.to_srgb_on_white(resized, icc_profile)
    upright = pixels.apply_orientation(rgb, orientation)

    data = _encode_jpeg(upright)
    return Thumbnail(max_edge=max_edge, width=upright.width, height=upright.height, data=data)


def _encode_jpeg(image: Image.Image) -> bytes:
    """Encode as JPEG; `image` carries no metadata, so neither does the file."""
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()
