"""Upload payloads for the stress load: small images that differ in format, size and colour,
and invalid files the pipeline must answer with a failed row.
"""

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw

# Format, content type, file extension, colour mode saved.
IMAGE_KINDS = (
    ("JPEG", "image/jpeg", "jpg", "RGB"),
    ("PNG", "image/png", "png", "RGBA"),
    ("GIF", "image/gif", "gif", "P"),
    ("WEBP", "image/webp", "webp", "RGB"),
    ("BMP", "image/bmp", "bmp", "RGB"),
    ("TIFF", "image/tiff", "tiff", "L"),
)
INVALID_KINDS = ("random bytes", "truncated jpeg", "empty", "text", "png signature only")
MIN_EDGE, EDGE_SPREAD = 8, 480


@dataclass(frozen=True)
class Payload:
    """The bytes of one upload, how to announce them, and what the pipeline must make of them."""

    data: bytes
    content_type: str
    extension: str
    is_valid: bool
    kind: str


def make_image(index: int) -> Payload:
    """Draw image number `index`: format, size and colours all follow from the index."""
    image_format, content_type, extension, mode = IMAGE_KINDS[index % len(IMAGE_KINDS)]
    width = MIN_EDGE + (index * 37) % EDGE_SPREAD
    height = MIN_EDGE + (index * 53) % EDGE_SPREAD
    colour = ((index * 41) % 256, (index * 67) % 256, (index * 97) % 256)

    picture = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(picture)
    draw.ellipse((width // 4, height // 4, width * 3 // 4, height * 3 // 4), fill=colour[::-1])
    draw.line((0, 0, width, height), fill=(255, 255, 255), width=max(1, width // 16))

    buffer = io.BytesIO()
    picture.convert(mode).save(buffer, image_format)
    return Payload(buffer.getvalue(), content_type, extension, True, image_format.lower())


def make_invalid(index: int) -> Payload:
    """Make invalid file number `index`: announced as a JPEG, never a readable one."""
    kind = INVALID_KINDS[index % len(INVALID_KINDS)]
    if kind == "random bytes":
        data = bytes((index * 7919 + offset * 104729) % 256 for offset in range(512))
    elif kind == "truncated jpeg":
        data = make_image(index * len(IMAGE_KINDS)).data[:200]
    elif kind == "empty":
        data = b""
    elif kind == "text":
        data = f"upload {index} is not a picture\n".encode()
    else:
        data = b"\x89PNG\r\n\x1a\n"
    return Payload(data, "image/jpeg", "jpg", False, kind)
