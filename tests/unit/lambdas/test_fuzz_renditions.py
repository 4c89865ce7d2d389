"""Hostile input for lambdas/renditions.py: mutated image bytes end as thumbnails or a rejection.

A property test mutates small images drawn here (bit flips, overwritten
header fields, cuts, splices) and feeds them to make_renditions; the other
tests keep the exact inputs the fuzzer found as regression cases.
"""

import io
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms

from lambdas import renditions
from scripts.reliability import fuzzing

MAX_EDGES = (200, 64)
# Small enough that no mutated header can make a test allocate much memory.
MAX_PIXELS = 4_000_000

SEEDS = fuzzing.draw_seed_images()
SEED_NAMES = sorted(SEEDS)
DONORS = tuple(SEEDS[name] for name in SEED_NAMES)
FOREIGN_NAMES = [name for name in SEED_NAMES if name.startswith("foreign_")]
SUPPORTED_NAMES = [name for name in SEED_NAMES if name not in FOREIGN_NAMES]


def draw_gradient() -> Image.Image:
    return Image.radial_gradient("L").resize((40, 30)).convert("RGB")


def encode(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format)
    return buffer.getvalue()


def replace_box_payload(data: bytes, box_type: bytes, payload: bytes, offset: int = 0) -> bytes:
    """Overwrite bytes inside the first ISO-BMFF box of `box_type`, `offset` bytes past its type."""
    start = data.index(box_type) + len(box_type) + offset
    return data[:start] + payload + data[start + len(payload) :]


mutation_lists = st.lists(
    st.tuples(
        st.sampled_from(fuzzing.OPERATORS),
        st.floats(min_value=0, max_value=1, allow_nan=False),
        st.integers(min_value=0, max_value=2**32 - 1),
    ),
    min_size=1,
    max_size=4,
).map(lambda steps: tuple(fuzzing.Mutation(*step) for step in steps))


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(seed_name=st.sampled_from(SEED_NAMES), mutations=mutation_lists)
def test_mutated_image_gives_thumbnails_or_a_rejection(
    seed_name: str, mutations: tuple[fuzzing.Mutation, ...]
) -> None:
    data = fuzzing.apply_mutations(SEEDS[seed_name], mutations, DONORS)

    outcome = fuzzing.check_input(data, MAX_EDGES, MAX_PIXELS)

    assert outcome.verdict in ("rendered", "rejected"), outcome.detail


@pytest.mark.parametrize("seed_name", SUPPORTED_NAMES)
def test_every_supported_seed_image_renders(seed_name: str) -> None:
    outcome = fuzzing.check_input(SEEDS[seed_name], MAX_EDGES, MAX_PIXELS)

    assert (outcome.verdict, outcome.detail) == ("rendered", "")


@pytest.mark.parametrize("seed_name", FOREIGN_NAMES)
def test_every_foreign_seed_image_is_rejected_as_unsupported(seed_name: str) -> None:
    outcome = fuzzing.check_input(SEEDS[seed_name], MAX_EDGES, MAX_PIXELS)

    assert (outcome.verdict, outcome.detail) == ("rejected", "UnsupportedImageError")


def test_avif_without_primary_item_is_rejected_as_corrupt() -> None:
    data = encode(draw_gradient(), "AVIF").replace(b"pitm", b"xxxx")

    with pytest.raises(renditions.CorruptImageError) as raised:
        renditions.make_renditions(data)

    assert raised.value.reason == "the image header is damaged and cannot be read"


def test_avif_with_zeroed_pixel_data_is_rejected_as_corrupt() -> None:
    data = encode(draw_gradient(), "AVIF")
    payload_start = data.index(b"mdat") + 4
    zeroed = data[:payload_start] + bytes(len(data) - payload_start)

    with pytest.raises(renditions.CorruptImageError) as raised:
        renditions.make_renditions(zeroed)

    assert raised.value.reason == "the AVIF image data is damaged and cannot be decoded"


def test_heif_whose_coded_width_exceeds_the_decoder_limit_is_rejected_as_corrupt() -> None:
    # ispe (image spatial extents): version/flags, then width and height.
    data = encode(draw_gradient(), "HEIF")
    huge_width = replace_box_payload(data, b"ispe", struct.pack(">I", 0xFF000040), offset=4)

    with pytest.raises(renditions.CorruptImageError) as raised:
        renditions.make_renditions(huge_width)

    assert raised.value.reason == "the HEIF image data is damaged and cannot be decoded"


def test_dds_with_unknown_pixel_format_is_rejected_as_not_an_image() -> None:
    # Pillow's DDS reader raises NotImplementedError for pixel-format flags it
    # does not know; the flags sit at byte 80 (magic, 72 header bytes, ddspf size).
    data = encode(draw_gradient(), "DDS")
    unknown_flags = data[:80] + struct.pack("<I", 0) + data[84:]

    with pytest.raises(renditions.NotAnImageError):
        renditions.make_renditions(unknown_flags)


def test_jpeg_whose_icc_colour_space_is_not_ascii_renders_as_srgb() -> None:
    # The colour-space signature sits at bytes 16-19 of an ICC profile header.
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    damaged = profile[:16] + b"\xc2\x85GB" + profile[20:]
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 200, 30)).save(buffer, "JPEG", icc_profile=damaged)

    result = renditions.make_renditions(buffer.getvalue())

    thumbnail = Image.open(io.BytesIO(result.thumbnails[0].data))
    assert (thumbnail.size, thumbnail.mode) == ((40, 30), "RGB")
    assert "icc_profile" not in thumbnail.info
