"""Hostile-input fuzzing of lambdas.renditions: real image bytes, mutated, fed to make_renditions.

Every input must end as valid thumbnails or an ImageRejectedError; anything
else is a finding: another exception, a worker killed (memory limit), or an
input that outlives its time budget. The stress command runs campaigns in a
bounded worker process (scripts/reliability/worker.py); the unit tests drive
the same mutations through hypothesis.
"""

import hashlib
import io
import json
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from PIL import Image, ImageCms, ImageDraw

from lambdas import renditions
from scripts.reliability.worker import Checker, Limits, Outcome, Worker

OPERATORS = (
    "flip_bit",
    "set_byte",
    "insert_bytes",
    "delete_bytes",
    "truncate",
    "write_integer",
    "duplicate_chunk",
    "splice",
)

# Values that sit on the edges of header fields: zero, sign bits, all ones.
INTERESTING_INTEGERS = (0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000)
INTEGER_WIDTHS = (1, 2, 4)
SEED_SIZE = (40, 30)
SUPPORTED_CORPUS_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff")


@dataclass(frozen=True)
class Mutation:
    """One edit of the input: an operator, where (0..1 of the length) and a free value."""

    operator: str
    position: float
    value: int


@dataclass(frozen=True)
class Finding:
    """An input the pipeline did not answer properly, with what is needed to replay it."""

    seed_name: str
    mutations: tuple[Mutation, ...]
    detail: str
    input_sha256: str


@dataclass
class CampaignSummary:
    """Counts of one fuzzing campaign."""

    executions: int = 0
    rendered: int = 0
    rejected: int = 0
    rejections: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    slowest_ms: int = 0
    worker_peak_rss_kb: int = 0
    seed_count: int = 0

    def as_dict(self) -> dict[str, object]:
        """Return the summary as plain JSON-ready data."""
        data = asdict(self)
        data["findings"] = [asdict(finding) for finding in self.findings]
        return data


def draw_seed_images() -> dict[str, bytes]:
    """Draw the seed images: every supported format and colour mode, plus a few foreign formats.

    Foreign formats (names starting `foreign_`) are images the pipeline must
    refuse as unsupported; mutating them exercises format identification.
    """
    picture = _draw_picture()
    rgb = picture.convert("RGB")
    grey = rgb.convert("L")
    frames = [rgb.convert("P"), rgb.rotate(90).convert("P")]
    upright = Image.Exif()
    upright[0x0112] = 6
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()

    return {
        "jpeg_rgb": _encode(rgb, "JPEG"),
        "jpeg_orientation_6": _encode(rgb, "JPEG", exif=upright),
        "jpeg_progressive": _encode(rgb, "JPEG", progressive=True),
        "jpeg_cmyk": _encode(rgb.convert("CMYK"), "JPEG"),
        "jpeg_grey": _encode(grey, "JPEG"),
        "jpeg_icc": _encode(rgb, "JPEG", icc_profile=srgb),
        "png_rgba": _encode(picture, "PNG"),
        "png_palette_transparent": _encode(rgb.convert("P"), "PNG", transparency=0),
        "png_grey_16bit": _encode(grey.convert("I;16"), "PNG"),
        "png_grey_alpha": _encode(picture.convert("LA"), "PNG"),
        "png_bilevel": _encode(rgb.convert("1"), "PNG"),
        "gif_animated": _encode(frames[0], "GIF", save_all=True, append_images=frames[1:]),
        "webp_rgba": _encode(picture, "WEBP"),
        "tiff_float": _encode(grey.convert("F"), "TIFF"),
        "tiff_grey_16bit": _encode(grey.convert("I;16"), "TIFF"),
        "tiff_cmyk_lzw": _encode(rgb.convert("CMYK"), "TIFF", compression="tiff_lzw"),
        "bmp_rgb": _encode(rgb, "BMP"),
        "bmp_bilevel": _encode(rgb.convert("1"), "BMP"),
        "heif_rgb": _encode(rgb, "HEIF"),
        "avif_rgb": _encode(rgb, "AVIF"),
        "foreign_dds": _encode(picture, "DDS"),
        "foreign_ico": _encode(picture, "ICO"),
        "foreign_tga": _encode(rgb, "TGA"),
        "foreign_pcx": _encode(rgb, "PCX"),
    }


def _draw_picture() -> Image.Image:
    """A small RGBA picture with a gradient, hard edges and a transparent corner."""
    picture = Image.radial_gradient("L").resize(SEED_SIZE).convert("RGBA")
    draw = ImageDraw.Draw(picture)
    draw.rectangle((4, 4, 18, 14), fill=(200, 30, 40, 255))
    draw.ellipse((20, 8, 36, 26), fill=(20, 160, 60, 255))
    draw.rectangle((30, 0, 39, 6), fill=(0, 0, 0, 0))
    return picture


def _encode(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def read_corpus_seeds(corpus_dir: Path) -> dict[str, bytes]:
    """Read the shared corpus in place (never copied); an absent folder gives no seeds."""
    if not corpus_dir.is_dir():
        return {}
    return {
        f"corpus_{path.name}": path.read_bytes()
        for path in sorted(corpus_dir.iterdir())
        if path.suffix.lower() in SUPPORTED_CORPUS_SUFFIXES
    }


def apply_mutations(data: bytes, mutations: Sequence[Mutation], donors: Sequence[bytes]) -> bytes:
    """Apply `mutations` in order; `donors` are other inputs that `splice` copies from."""
    edited = bytearray(data)
    for mutation in mutations:
        edited = _apply(edited, mutation, donors)
    return bytes(edited)


def _apply(data: bytearray, mutation: Mutation, donors: Sequence[bytes]) -> bytearray:
    if not data:
        data = bytearray(b"\x00")
    index = min(int(mutation.position * len(data)), len(data) - 1)
    value = mutation.value
    operator = mutation.operator

    if operator == "flip_bit":
        data[index] ^= 1 << (value % 8)
    elif operator == "set_byte":
        data[index] = value & 0xFF
    elif operator == "insert_bytes":
        data[index:index] = value.to_bytes(4, "little")[: value % 4 + 1]
    elif operator == "delete_bytes":
        del data[index : index + value % 64 + 1]
    elif operator == "truncate":
        del data[index:]
    elif operator == "write_integer":
        data[index : index + 4] = _interesting_bytes(value)
    elif operator == "duplicate_chunk":
        data[index:index] = data[index : index + value % 256 + 1]
    elif operator == "splice" and donors:
        donor = donors[value % len(donors)]
        start = (value >> 8) % len(donor)
        data[index:index] = donor[start : start + (value >> 16) % 128 + 1]
    return data


def _interesting_bytes(value: int) -> bytes:
    """Encode an edge-case integer in 1, 2 or 4 bytes, either byte order, chosen by `value`."""
    width = INTEGER_WIDTHS[(value >> 4) % len(INTEGER_WIDTHS)]
    number = INTERESTING_INTEGERS[value % len(INTERESTING_INTEGERS)] & ((1 << (8 * width)) - 1)
    byte_order: Literal["big", "little"] = "big" if (value >> 8) & 1 else "little"
    return number.to_bytes(width, byte_order)


def random_mutations(rng: random.Random) -> tuple[Mutation, ...]:
    """Draw one to four mutations."""
    return tuple(
        Mutation(rng.choice(OPERATORS), rng.random(), rng.getrandbits(32))
        for _ in range(rng.randint(1, 4))
    )


def check_input(data: bytes, max_edges: Sequence[int], max_pixels: int) -> Outcome:
    """Feed `data` to make_renditions and judge what comes back."""
    try:
        result = renditions.make_renditions(data, max_edges, max_pixels=max_pixels)
    except renditions.ImageRejectedError as rejection:
        if not rejection.reason.strip():
            return Outcome("finding", f"{type(rejection).__name__} without a reason")
        return Outcome("rejected", type(rejection).__name__)
    except Exception as exc:  # anything else escaping is exactly what the fuzzer looks for
        return Outcome("finding", f"{type(exc).__name__}: {str(exc)[:200]}")

    problem = _find_thumbnail_problem(result, max_edges)
    return Outcome("finding", problem) if problem else Outcome("rendered")


def _find_thumbnail_problem(result: renditions.ImageRenditions, max_edges: Sequence[int]) -> str:
    if tuple(thumbnail.max_edge for thumbnail in result.thumbnails) != tuple(max_edges):
        return "the thumbnails do not match the requested sizes"
    for thumbnail in result.thumbnails:
        with Image.open(io.BytesIO(thumbnail.data)) as decoded:
            size, image_format = decoded.size, decoded.format
        if image_format != "JPEG" or size != (thumbnail.width, thumbnail.height):
            return f"the {thumbnail.max_edge} thumbnail is not the JPEG it claims to be"
        if not 1 <= max(size) <= thumbnail.max_edge:
            return f"the {thumbnail.max_edge} thumbnail measures {size[0]}×{size[1]}"
    return ""


def run_campaign(
    seeds: Mapping[str, bytes],
    executions: int,
    rng_seed: int,
    max_edges: Sequence[int] = (200,),
    max_pixels: int = renditions.DEFAULT_MAX_PIXELS,
    limits: Limits | None = None,
    time_budget_s: float | None = None,
    findings_dir: Path | None = None,
    checker: Checker = check_input,
) -> CampaignSummary:
    """Fuzz up to `executions` inputs (or until `time_budget_s`) in a bounded worker process.

    Inputs are drawn from `rng_seed`, so a campaign replays exactly. A finding's
    input is written to `findings_dir` (when given) as `<sha256>.bin`.
    """
    rng = random.Random(rng_seed)
    names = sorted(seeds)
    donors = [seeds[name] for name in names]
    summary = CampaignSummary(seed_count=len(names))
    deadline = None if time_budget_s is None else time.monotonic() + time_budget_s

    worker = Worker(checker, max_edges, max_pixels, limits or Limits())
    try:
        while summary.executions < executions:
            if deadline is not None and time.monotonic() > deadline:
                break
            seed_name = rng.choice(names)
            mutations = random_mutations(rng)
            data = apply_mutations(seeds[seed_name], mutations, donors)
            outcome, duration_ms = worker.check(data)
            _record(summary, seed_name, mutations, data, outcome, findings_dir)
            summary.slowest_ms = max(summary.slowest_ms, duration_ms)
    finally:
        summary.worker_peak_rss_kb = max(summary.worker_peak_rss_kb, worker.close())
    return summary


def _record(
    summary: CampaignSummary,
    seed_name: str,
    mutations: tuple[Mutation, ...],
    data: bytes,
    outcome: Outcome,
    findings_dir: Path | None,
) -> None:
    summary.executions += 1
    if outcome.verdict == "rendered":
        summary.rendered += 1
        return
    if outcome.verdict == "rejected":
        summary.rejected += 1
        summary.rejections[outcome.detail] = summary.rejections.get(outcome.detail, 0) + 1
        return

    digest = hashlib.sha256(data).hexdigest()
    finding = Finding(seed_name, mutations, outcome.detail, digest)
    summary.findings.append(finding)
    if findings_dir is not None:
        findings_dir.mkdir(parents=True, exist_ok=True)
        (findings_dir / f"{digest}.bin").write_bytes(data)
        (findings_dir / f"{digest}.json").write_text(json.dumps(asdict(finding), indent=2))
