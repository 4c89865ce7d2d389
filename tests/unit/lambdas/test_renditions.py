"""Unit tests of lambdas/renditions.py: bytes in, JPEG thumbnails out, bad input rejected."""

import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms, ImageDraw, ImageOps

from lambdas import renditions

QUADRANT_COLOURS = {
    "top_left": (220, 30, 30),
    "top_right": (30, 200, 40),
    "bottom_left": (30, 40, 220),
    "bottom_right": (240, 220, 30),
}

# How a camera stores an upright picture for each EXIF orientation: the
# transpose that turns the upright scene into the stored pixels (EXIF 2.3, 0x0112).
STORED_AS = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def encode(image: Image.Image, image_format: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **params)
    return buffer.getvalue()


def decode_thumbnail(result: renditions.ImageRenditions, index: int = 0) -> Image.Image:
    thumbnail = Image.open(io.BytesIO(result.thumbnails[index].data))
    thumbnail.load()
    return thumbnail


def draw_quadrants(width: int, height: int) -> Image.Image:
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    half_w, half_h = width // 2, height // 2
    draw.rectangle((0, 0, half_w - 1, half_h - 1), fill=QUADRANT_COLOURS["top_left"])
    draw.rectangle((half_w, 0, width - 1, half_h - 1), fill=QUADRANT_COLOURS["top_right"])
    draw.rectangle((0, half_h, half_w - 1, height - 1), fill=QUADRANT_COLOURS["bottom_left"])
    draw.rectangle((half_w, half_h, width - 1, height - 1), fill=QUADRANT_COLOURS["bottom_right"])
    return image


def quadrant_centres(image: Image.Image) -> dict[str, tuple[int, ...]]:
    width, height = image.size
    points = {
        "top_left": (width // 4, height // 4),
        "top_right": (3 * width // 4, height // 4),
        "bottom_left": (width // 4, 3 * height // 4),
        "bottom_right": (3 * width // 4, 3 * height // 4),
    }
    return {name: tuple(image.getpixel(point)) for name, point in points.items()}


def assert_upright(image: Image.Image, upright: Image.Image) -> None:
    expected = quadrant_centres(upright)
    for name, colour in quadrant_centres(image).items():
        assert_close(colour, expected[name])


def assert_close(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> None:
    assert all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True)), (
        f"{actual} is not within {tolerance} of {expected}"
    )


def exif_with_orientation(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    body = kind + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG claiming width × height with only 8 bytes of pixel data (zeros, not even zlib)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", bytes(8))


def gif_header_only(width: int, height: int) -> bytes:
    """A 33-byte GIF: header, screen descriptor and image descriptor claiming width × height."""
    screen = struct.pack("<HHBBB", width, height, 0, 0, 0)
    descriptor = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0)
    return b"GIF89a" + screen + descriptor + b"\x02\x00;"


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((1800, 1200), (200, 133)),
        ((1200, 1800), (133, 200)),
        ((200, 200), (200, 200)),
        ((100, 50), (100, 50)),
        ((4000, 10), (200, 1)),
        ((401, 201), (200, 100)),
    ],
    ids=["landscape", "portrait", "exact", "small-not-enlarged", "sliver", "rounding"],
)
def test_fit_within_keeps_aspect_ratio_within_the_longest_edge(
    size: tuple[int, int], expected: tuple[int, int]
) -> None:
    assert renditions.fit_within(*size, 200) == expected


def test_thumbnail_of_landscape_photo_is_200_by_133_rgb_jpeg() -> None:
    data = encode(draw_quadrants(1800, 1200), "JPEG")

    result = renditions.make_renditions(data)

    thumbnail = decode_thumbnail(result)
    assert (thumbnail.format, thumbnail.mode, thumbnail.size) == ("JPEG", "RGB", (200, 133))
    assert (result.thumbnails[0].width, result.thumbnails[0].height) == (200, 133)
    assert result.thumbnails[0].max_edge == 200


def test_result_describes_the_original() -> None:
    data = encode(draw_quadrants(300, 200), "PNG")

    result = renditions.make_renditions(data)

    assert (result.format, result.content_type, result.mode) == ("PNG", "image/png", "RGB")
    assert (result.width, result.height) == (300, 200)


def test_one_thumbnail_per_configured_edge_in_configured_order() -> None:
    data = encode(draw_quadrants(1600, 1200), "PNG")

    result = renditions.make_renditions(data, max_edges=(200, 800, 200))

    sizes = [(t.max_edge, t.width, t.height) for t in result.thumbnails]
    assert sizes == [(200, 200, 150), (800, 800, 600)]


def test_thumbnail_carries_no_exif_icc_or_comment() -> None:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0)}
    source = draw_quadrants(300, 200)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(source, "JPEG", exif=exif.tobytes(), comment=b"secret", icc_profile=icc)

    result = renditions.make_renditions(data)

    thumbnail = decode_thumbnail(result)
    assert len(thumbnail.getexif()) == 0
    assert "icc_profile" not in thumbnail.info and "comment" not in thumbnail.info
    assert b"Exif" not in result.thumbnails[0].data
    assert b"secret" not in result.thumbnails[0].data


@pytest.mark.parametrize("orientation", range(1, 9), ids=lambda value: f"orientation-{value}")
def test_exif_orientation_makes_the_thumbnail_upright(orientation: int) -> None:
    upright = draw_quadrants(300, 200)
    transpose = STORED_AS[orientation]
    stored = upright if transpose is None else upright.transpose(transpose)
    exif = exif_with_orientation(orientation)
    data = encode(stored, "JPEG", quality=95, exif=exif)
    assert_upright(ImageOps.exif_transpose(Image.open(io.BytesIO(data))), upright)

    result = renditions.make_renditions(data)

    thumbnail = decode_thumbnail(result)
    assert thumbnail.size == (200, 133)
    assert (result.width, result.height) == (300, 200)
    assert_upright(thumbnail, upright)


def test_webp_exif_orientation_makes_the_thumbnail_upright() -> None:
    upright = draw_quadrants(300, 200)
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    data = encode(stored, "WEBP", lossless=True, exif=exif_with_orientation(6))

    result = renditions.make_renditions(data)

    assert_upright(decode_thumbnail(result), upright)


def transparent_sources() -> dict[str, bytes]:
    """Images whose left half is fully transparent and right half opaque red."""
    rgba = Image.new("RGBA", (100, 50), (0, 0, 0, 0))
    rgba.paste((200, 0, 0, 255), (50, 0, 100, 50))

    palette = Image.new("P", (100, 50), 0)
    palette.putpalette([0, 0, 0, 200, 0, 0])
    palette.paste(1, (50, 0, 100, 50))

    keyed = Image.new("RGB", (100, 50), (0, 255, 52))
    keyed.paste((200, 0, 0), (50, 0, 100, 50))

    grey = Image.new("LA", (100, 50), (0, 0))
    grey.paste((90, 255), (50, 0, 100, 50))

    return {
        "png-rgba": encode(rgba, "PNG"),
        "webp-rgba": encode(rgba, "WEBP", lossless=True),
        "gif-palette": encode(palette, "GIF", transparency=0),
        "png-palette": encode(palette, "PNG", transparency=0),
        "png-rgb-colour-key": encode(keyed, "PNG", transparency=(0, 255, 52)),
        "png-la": encode(grey, "PNG"),
    }


@pytest.mark.parametrize("name", list(transparent_sources()))
def test_transparency_is_flattened_onto_white(name: str) -> None:
    data = transparent_sources()[name]

    result = renditions.make_renditions(data)

    thumbnail = decode_thumbnail(result)
    assert thumbnail.mode == "RGB"
    assert_close(thumbnail.getpixel((10, 25)), (255, 255, 255), tolerance=3)
    assert thumbnail.getpixel((90, 25)) != pytest.approx((255, 255, 255), abs=20)


def test_cmyk_jpeg_keeps_its_colours() -> None:
    cmyk = Image.new("CMYK", (60, 40), (0, 255, 255, 0))
    cmyk.paste((255, 0, 255, 0), (30, 0, 60, 40))
    data = encode(cmyk, "JPEG", quality=95)

    result = renditions.make_renditions(data)

    thumbnail = decode_thumbnail(result)
    assert result.mode == "CMYK"
    assert_close(thumbnail.getpixel((10, 20)), (255, 0, 0))
    assert_close(thumbnail.getpixel((50, 20)), (0, 255, 0))


def test_sixteen_bit_grey_gradient_is_scaled_not_clipped() -> None:
    gradient = Image.linear_gradient("L").resize((64, 64)).convert("I")
    sixteen_bit = gradient.point(lambda value: value * 257).convert("I;16")
    data = encode(sixteen_bit, "TIFF")

    result = renditions.make_renditions(data)

    thumbnail = decode_thumbnail(result).convert("L")
    assert result.mode == "I;16"
    top, bottom = thumbnail.getpixel((32, 1)), thumbnail.getpixel((32, 62))
    assert top < 20 and bottom > 235


def test_animated_gif_gives_its_first_frame() -> None:
    frames = [Image.new("RGB", (40, 40), colour) for colour in ("red", "lime", "blue")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)

    result = renditions.make_renditions(data)

    assert_close(decode_thumbnail(result).getpixel((20, 20)), (255, 0, 0))


@pytest.mark.parametrize(
    ("image_format", "content_type"),
    [
        ("JPEG", "image/jpeg"),
        ("PNG", "image/png"),
        ("GIF", "image/gif"),
        ("WEBP", "image/webp"),
        ("TIFF", "image/tiff"),
        ("BMP", "image/bmp"),
        ("AVIF", "image/avif"),
        ("HEIF", "image/heic"),
    ],
)
def test_every_supported_format_gives_a_thumbnail(image_format: str, content_type: str) -> None:
    data = encode(draw_quadrants(240, 160), image_format)

    result = renditions.make_renditions(data)

    assert (result.format, result.content_type) == (image_format, content_type)
    assert decode_thumbnail(result).size == (200, 133)


def test_large_jpeg_is_decoded_at_reduced_scale() -> None:
    data = encode(draw_quadrants(4000, 3000), "JPEG")
    image = renditions.open_image(data, renditions.DEFAULT_MAX_PIXELS)

    decoded = renditions.decode_first_frame(image, (200, 150))

    assert decoded.size == (500, 375)


def test_pixel_limit_is_checked_on_the_header_before_decoding() -> None:
    data = png_header_only(10_000, 8_000)

    with pytest.raises(renditions.TooManyPixelsError) as caught:
        renditions.make_renditions(data, max_pixels=64_000_000)

    assert caught.value.reason == (
        "too many pixels: 10000×8000 is 80,000,000 pixels, the limit is 64,000,000"
    )


@pytest.mark.parametrize(
    ("data", "error", "reason"),
    [
        (b"", renditions.EmptyImageError, "the file is empty (0 bytes)"),
        (
            b"x" * 101,
            renditions.TooManyBytesError,
            "the file is 101 bytes, more than the 100 bytes allowed",
        ),
        (
            b"hello, not an image",
            renditions.NotAnImageError,
            "the file is not an image in any supported format",
        ),
        (
            b"\x89PNG\r\n\x1a\n" + bytes(range(40)),
            renditions.CorruptImageError,
            "the file starts like a PNG image but its header is damaged or cut short",
        ),
        (
            encode(Image.new("RGB", (4, 4)), "PPM"),
            renditions.UnsupportedImageError,
            "unsupported image format PPM (supported: JPEG, PNG, GIF, WEBP, TIFF, BMP, AVIF, HEIF)",
        ),
        (
            gif_header_only(60_000, 60_000),
            renditions.TooManyPixelsError,
            "too many pixels: the image declares more than 178,956,970 pixels, the limit is 100",
        ),
    ],
    ids=["empty", "too-many-bytes", "not-an-image", "damaged-header", "unsupported", "bomb"],
)
def test_bad_input_is_rejected_with_a_readable_reason(
    data: bytes, error: type[renditions.ImageRejectedError], reason: str
) -> None:
    with pytest.raises(error) as caught:
        renditions.make_renditions(data, max_bytes=100, max_pixels=100)

    assert caught.value.reason == reason
    assert isinstance(caught.value, renditions.ImageRejectedError)


def test_truncated_jpeg_is_rejected_as_truncated() -> None:
    data = encode(draw_quadrants(300, 200), "JPEG")

    with pytest.raises(renditions.TruncatedImageError) as caught:
        renditions.make_renditions(data[: len(data) // 2])

    assert caught.value.reason == "the JPEG image data ends before the image does"


def test_damaged_pixel_data_is_rejected_as_corrupt() -> None:
    data = bytearray(encode(draw_quadrants(300, 200), "PNG"))
    pixels_start = data.index(b"IDAT") + 20
    data[pixels_start : pixels_start + 30] = bytes(30)

    with pytest.raises(renditions.CorruptImageError) as caught:
        renditions.make_renditions(bytes(data))

    assert caught.value.reason == "the PNG image data is damaged and cannot be decoded"


def test_damaged_header_is_rejected_as_corrupt() -> None:
    data = encode(draw_quadrants(300, 200), "WEBP")

    with pytest.raises(renditions.CorruptImageError) as caught:
        renditions.make_renditions(data[: len(data) // 2])

    assert caught.value.reason == "the image header is damaged and cannot be read"


def test_too_many_pixels_is_checked_against_the_setting() -> None:
    data = encode(Image.new("RGB", (100, 100)), "PNG")

    with pytest.raises(renditions.TooManyPixelsError) as caught:
        renditions.make_renditions(data, max_pixels=9_999)

    assert caught.value.reason == ("too many pixels: 100×100 is 10,000 pixels, the limit is 9,999")


def test_invalid_edge_sizes_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="max_edges"):
        renditions.make_renditions(b"irrelevant", max_edges=())
