"""Deterministic photos for the benchmark: smooth gradients plus seeded noise, drawn by Pillow.

The same seed always gives the same bytes, so runs on different days compare
the same work; encoded inputs are cached in artifacts/bench/inputs/ by recipe.
"""

import hashlib
import io
import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

# Noise weight mixed into the gradients: 0 is flat colour, 1 pure noise.
# Photos compress like a camera's output at about 0.12; the PNG needs more
# noise to weigh ~20 MB at a realistic pixel count.
PHOTO_NOISE = 0.12
HEAVY_NOISE = 0.3


@dataclass(frozen=True)
class ImageCase:
    """One benchmark input: how it is drawn and encoded."""

    name: str
    label: str
    format: str
    width: int
    height: int
    frames: int = 1
    noise: float = PHOTO_NOISE
    seed: int = 1
    save_options: dict[str, int] = field(default_factory=dict)

    @property
    def megapixels(self) -> float:
        return self.width * self.height / 1_000_000

    @property
    def suffix(self) -> str:
        return {"JPEG": "jpg"}.get(self.format, self.format.lower())

    def digest(self) -> str:
        """Name the recipe: any change to the case (or the drawing code version) changes it."""
        recipe = json.dumps({**asdict(self), "drawing": DRAWING_VERSION}, sort_keys=True)
        return hashlib.sha256(recipe.encode()).hexdigest()[:12]


DRAWING_VERSION = 1

COMPUTE_CASES = (
    ImageCase("jpeg-12mp", "12 MP JPEG", "JPEG", 4032, 3024, save_options={"quality": 90}),
    ImageCase("jpeg-24mp", "24 MP JPEG", "JPEG", 6000, 4000, save_options={"quality": 90}),
    ImageCase(
        "png-20mb",
        "20 MB PNG",
        "PNG",
        3300,
        2400,
        noise=HEAVY_NOISE,
        save_options={"compress_level": 6},
    ),
    ImageCase("webp-4k", "4K WebP", "WEBP", 3840, 2160, save_options={"quality": 85}),
    ImageCase("gif-animated", "animated GIF", "GIF", 1280, 720, frames=12, noise=0.05),
)

# What the end-to-end run uploads: a photo the size a web gallery receives.
UPLOAD_CASE = ImageCase("upload", "2.5 MP JPEG", "JPEG", 1920, 1280, save_options={"quality": 85})


def draw_photo(width: int, height: int, seed: int, noise: float = PHOTO_NOISE) -> Image.Image:
    """Draw an RGB picture: three crossing gradients blended with seeded uniform noise."""
    size = (width, height)
    red = Image.linear_gradient("L").resize(size)
    green = Image.radial_gradient("L").resize(size)
    blue = Image.linear_gradient("L").transpose(Image.Transpose.ROTATE_90).resize(size)
    gradients = Image.merge("RGB", (red, green, blue))

    noise_bytes = random.Random(seed).randbytes(width * height * 3)
    speckles = Image.frombytes("RGB", size, noise_bytes)
    return Image.blend(gradients, speckles, noise)


def draw_animation(case: ImageCase) -> list[Image.Image]:
    """Draw palette frames of a disc crossing the picture (one shared palette, so it is quick)."""
    background = draw_photo(case.width, case.height, case.seed, case.noise)
    palette_frame = background.quantize(255, dither=Image.Dither.NONE)
    disc_edge = max(1, min(case.width, case.height) // 4)

    frames = []
    for index in range(case.frames):
        frame = palette_frame.copy()
        left = index * (case.width - disc_edge) // max(1, case.frames)
        top = (case.height - disc_edge) // 2
        ImageDraw.Draw(frame).ellipse((left, top, left + disc_edge, top + disc_edge), fill=0)
        frames.append(frame)
    return frames


def encode_case(case: ImageCase) -> bytes:
    """Draw and encode `case` in its format."""
    buffer = io.BytesIO()
    if case.frames > 1:
        first, *others = draw_animation(case)
        first.save(buffer, case.format, save_all=True, append_images=others, duration=80, loop=0)
    else:
        photo = draw_photo(case.width, case.height, case.seed, case.noise)
        photo.save(buffer, case.format, **case.save_options)
    return buffer.getvalue()


def cached_input(case: ImageCase, directory: Path) -> Path:
    """Return the path of the encoded `case` in `directory`, drawing it only when missing."""
    path = directory / f"{case.name}-{case.digest()}.{case.suffix}"
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_bytes(encode_case(case))
        partial.replace(path)
    return path
