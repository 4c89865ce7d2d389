"""Every real-world image of the shared corpus, uploaded under an awkward key, gets its result.

The corpus (../shared/corpus, read in place) holds files made by other people
and its README states what each must give. All of them go through S3, the
queue and the deployed processor once; the tests then read the rows, the
thumbnails and the API listing, and compare thumbnails with Pillow's own
rendering of the original.
"""

import io
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import ExifTags, Image, ImageChops, ImageCms, ImageFilter, ImageOps, ImageStat
from rich.console import Console

from scripts.results import build_table
from tests.support.corpus import CORPUS_DIR, corpus_file
from tests.support.notifications import wait_until_drained
from tests.support.rows import (
    image_id_of,
    list_images,
    read_thumbnail,
    scan_rows,
    thumbnail_keys,
    wait_for_finished_row,
)
from tests.support.sandbox import Pipeline

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff")
THUMBNAIL_EDGE = 200

# Mean absolute difference per channel (0-255) between a thumbnail and a reference:
# resampling and JPEG coding stay well below CLOSE; a rotated or inverted picture
# lands far above FAR.
CLOSE = 12
FAR = 40

# White after JPEG coding: every channel at least this bright.
NEAR_WHITE = 240


@dataclass(frozen=True)
class Expected:
    """What the corpus README says one file must give, under the key it is uploaded as.

    `size` is the original's width × height as displayed; `thumbnail` the
    thumbnail's (fitting within 200 × 200, never enlarged); `reason` a phrase
    a failed row's reason must contain.
    """

    key: str
    status: str
    size: tuple[int, int] | None = None
    thumbnail: tuple[int, int] | None = None
    reason: str | None = None


# Keys with spaces, `+`, `%`, `?`, `#`, `;`, `=`, accents (NFC and NFD: two
# different keys), an emoji, deep folders, and extensions that lie.
EXPECTED = {
    "exif-Landscape_1.jpg": Expected(
        "photos/My Holiday - Copy (2).jpg", "ready", (1800, 1200), (200, 133)
    ),
    "exif-Landscape_3.jpg": Expected(
        "caf\u00e9/cr\u00e8me br\u00fbl\u00e9e.jpg", "ready", (1800, 1200), (200, 133)
    ),
    "exif-Landscape_6.jpg": Expected("a/b/c/deep.jpg", "ready", (1800, 1200), (200, 133)),
    "exif-Landscape_8.jpg": Expected(
        "photos/2024/summer+winter = both.jpeg", "ready", (1800, 1200), (200, 133)
    ),
    "pillow-pil_sample_cmyk.jpg": Expected(
        "docs/c++ notes/100% done+final.png", "ready", (100, 100), (100, 100)
    ),
    "pillow-rgb_trns.png": Expected(
        "transparent/key colour (RGB).png", "ready", (64, 64), (64, 64)
    ),
    "pillow-p_trns_single.png": Expected(
        "transparent/palette & single tRNS.png", "ready", (64, 64), (64, 64)
    ),
    "pillow-hopper.gif": Expected("gifs/hopper?version=1.gif", "ready", (128, 128), (128, 128)),
    "pillow-iss634.gif": Expected(
        "gifs/animated/42 frames \U0001f39e.gif", "ready", (245, 245), (200, 200)
    ),
    "pillow-hopper.webp": Expected(
        "webp/hopper   three spaces.webp", "ready", (128, 128), (128, 128)
    ),
    "pillow-hopper_orientation_6.webp": Expected(
        "webp/rotated/orientation=6;hopper.webp", "ready", (128, 128), (128, 128)
    ),
    "pillow-hopper_gray.jpg": Expected(
        "cafe\u0301/cre\u0300me bru\u0302le\u0301e.jpg", "ready", (128, 128), (128, 128)
    ),
    "pillow-16bit.cropped.tif": Expected(
        "scans/16-bit%20grey.tif.jpg", "ready", (64, 64), (64, 64)
    ),
    "pillow-flower2.jpg": Expected(
        "colour/ICC \u2014 flower #2.jpg", "ready", (300, 225), (200, 150)
    ),
    "pillow-exif_gps.jpg": Expected("private/where I live (GPS).JPG", "ready", (8, 8), (8, 8)),
    "pillow-broken.png": Expected("broken/not an image.png", "failed", reason="header is damaged"),
    "pillow-decompression_bomb.gif": Expected(
        "broken/bomb 44 bytes.gif", "failed", reason="too many pixels"
    ),
}
READY = sorted(name for name, expected in EXPECTED.items() if expected.status == "ready")
FAILED = sorted(name for name, expected in EXPECTED.items() if expected.status == "failed")


@dataclass(frozen=True)
class CorpusRun:
    """The corpus uploaded once: each file's finished row, and every row the uploads added."""

    pipeline: Pipeline
    rows: dict[str, dict[str, Any]]
    added_rows: list[dict[str, Any]]

    def thumbnail(self, name: str) -> Image.Image:
        stored = read_thumbnail(self.pipeline, self.rows[name]["thumbnail_key"])
        return Image.open(io.BytesIO(stored.data))


@pytest.fixture(scope="module")
def corpus_run(pipeline: Pipeline) -> CorpusRun:
    bucket = pipeline.outputs["uploads_bucket"]
    ids_before = {row["image_id"] for row in scan_rows(pipeline)}

    s3 = pipeline.client("s3")
    for name, expected in EXPECTED.items():
        s3.put_object(Bucket=bucket, Key=expected.key, Body=corpus_file(name).read_bytes())
    rows = {
        name: wait_for_finished_row(pipeline, expected.key, timeout_s=120)
        for name, expected in EXPECTED.items()
    }
    wait_until_drained(pipeline)

    added_rows = [row for row in scan_rows(pipeline) if row["image_id"] not in ids_before]
    Console(width=200).print(build_table(added_rows))
    return CorpusRun(pipeline, rows, added_rows)


def pillow_thumbnail(image: Image.Image) -> Image.Image:
    """Pillow's own RGB rendering of `image`, fitted within the thumbnail edge."""
    reference = image.convert("RGB")
    reference.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
    return reference


def mean_difference(image: Image.Image, reference: Image.Image) -> float:
    """Mean absolute difference per channel (0 = equal, 255 = opposite) at `image`'s size."""
    if reference.size != image.size:
        reference = reference.resize(image.size, Image.Resampling.LANCZOS)
    difference = ImageChops.difference(image.convert("RGB"), reference.convert("RGB"))
    return sum(ImageStat.Stat(difference).mean) / 3


def test_expectations_name_every_image_of_the_corpus_under_distinct_keys() -> None:
    images = {path.name for path in CORPUS_DIR.iterdir() if path.suffix in IMAGE_SUFFIXES}
    keys = [expected.key for expected in EXPECTED.values()]

    assert sorted(EXPECTED) == sorted(images)
    assert len(set(keys)) == len(keys)


def test_uploads_add_exactly_one_row_per_key(corpus_run: CorpusRun) -> None:
    counts = Counter(row["original_key"] for row in corpus_run.added_rows)

    assert counts == Counter(expected.key for expected in EXPECTED.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_upload_gets_the_status_the_readme_states(corpus_run: CorpusRun, name: str) -> None:
    row = corpus_run.rows[name]

    assert (row["original_key"], row["status"]) == (EXPECTED[name].key, EXPECTED[name].status)


@pytest.mark.parametrize("name", READY)
def test_ready_row_records_the_upright_original_size(corpus_run: CorpusRun, name: str) -> None:
    row = corpus_run.rows[name]

    assert (row["width"], row["height"]) == EXPECTED[name].size


@pytest.mark.parametrize("name", READY)
def test_ready_upload_has_one_jpeg_thumbnail_of_the_expected_size(
    corpus_run: CorpusRun, name: str
) -> None:
    pipeline, row = corpus_run.pipeline, corpus_run.rows[name]

    stored = read_thumbnail(pipeline, row["thumbnail_key"])
    image = Image.open(io.BytesIO(stored.data))

    assert thumbnail_keys(pipeline, row["image_id"]) == [row["thumbnail_key"]]
    assert (stored.content_type, image.format) == ("image/jpeg", "JPEG")
    assert stored.cache_control
    assert image.size == EXPECTED[name].thumbnail
    assert [(r["width"], r["height"]) for r in row["renditions"]] == [image.size]


def test_upright_landscape_thumbnail_matches_pillows_rendering(corpus_run: CorpusRun) -> None:
    name = "exif-Landscape_1.jpg"
    reference = pillow_thumbnail(ImageOps.exif_transpose(Image.open(corpus_file(name))))

    assert mean_difference(corpus_run.thumbnail(name), reference) < CLOSE


@pytest.mark.parametrize(
    "name", ["exif-Landscape_3.jpg", "exif-Landscape_6.jpg", "exif-Landscape_8.jpg"]
)
def test_rotated_landscape_thumbnail_is_upright(corpus_run: CorpusRun, name: str) -> None:
    upright = corpus_run.thumbnail("exif-Landscape_1.jpg")

    thumbnail = corpus_run.thumbnail(name)

    assert mean_difference(thumbnail, upright) < CLOSE
    assert mean_difference(thumbnail.rotate(180), upright) > FAR


def test_webp_with_exif_orientation_is_upright(corpus_run: CorpusRun) -> None:
    upright = corpus_run.thumbnail("pillow-hopper.webp")

    thumbnail = corpus_run.thumbnail("pillow-hopper_orientation_6.webp")

    assert mean_difference(thumbnail, upright) < CLOSE
    for angle in (90, 180, 270):
        assert mean_difference(thumbnail.rotate(angle), upright) > FAR


def test_cmyk_thumbnail_has_pillows_rgb_colours(corpus_run: CorpusRun) -> None:
    name = "pillow-pil_sample_cmyk.jpg"
    reference = pillow_thumbnail(Image.open(corpus_file(name)))

    thumbnail = corpus_run.thumbnail(name)

    assert mean_difference(thumbnail, reference) < CLOSE
    assert mean_difference(thumbnail, ImageOps.invert(reference)) > FAR


@pytest.mark.parametrize("name", ["pillow-rgb_trns.png", "pillow-p_trns_single.png"])
def test_transparent_area_becomes_white(corpus_run: CorpusRun, name: str) -> None:
    alpha = Image.open(corpus_file(name)).convert("RGBA").getchannel("A")
    # Pixels whose whole 5×5 neighbourhood is transparent: no JPEG ringing from an edge.
    neighbourhood = alpha.filter(ImageFilter.MaxFilter(5))
    width, height = alpha.size
    transparent = [
        (x, y) for y in range(height) for x in range(width) if neighbourhood.getpixel((x, y)) == 0
    ]

    thumbnail = corpus_run.thumbnail(name).convert("RGB")

    assert thumbnail.size == alpha.size
    assert transparent
    assert min(min(thumbnail.getpixel(point)) for point in transparent) >= NEAR_WHITE


def test_16_bit_tiff_thumbnail_is_neither_all_black_nor_all_white(corpus_run: CorpusRun) -> None:
    grey = corpus_run.thumbnail("pillow-16bit.cropped.tif").convert("L")

    darkest, brightest = grey.getextrema()
    mean = ImageStat.Stat(grey).mean[0]

    assert brightest - darkest >= 128
    assert 32 < mean < 223


def test_icc_profile_thumbnail_is_srgb_and_carries_no_profile(corpus_run: CorpusRun) -> None:
    original = Image.open(corpus_file("pillow-flower2.jpg"))
    embedded = ImageCms.ImageCmsProfile(io.BytesIO(original.info["icc_profile"]))
    srgb = ImageCms.createProfile("sRGB")
    reference = pillow_thumbnail(ImageCms.profileToProfile(original, embedded, srgb))

    thumbnail = corpus_run.thumbnail("pillow-flower2.jpg")

    assert "icc_profile" not in thumbnail.info
    assert thumbnail.mode == "RGB"
    assert mean_difference(thumbnail, reference) < CLOSE


def test_gps_photo_thumbnail_carries_no_exif(corpus_run: CorpusRun) -> None:
    original = Image.open(corpus_file("pillow-exif_gps.jpg"))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)

    thumbnail = corpus_run.thumbnail("pillow-exif_gps.jpg")

    assert dict(thumbnail.getexif()) == {}
    assert "exif" not in thumbnail.info


def test_animated_gif_thumbnail_shows_the_first_frame(corpus_run: CorpusRun) -> None:
    animation = Image.open(corpus_file("pillow-iss634.gif"))
    first = pillow_thumbnail(animation)
    animation.seek(animation.n_frames // 2)
    middle = pillow_thumbnail(animation)
    # Compare only where the frames differ: most of the picture stays still.
    moving = ImageChops.difference(first, middle).getbbox()
    assert moving

    thumbnail = corpus_run.thumbnail("pillow-iss634.gif").crop(moving)

    to_first = mean_difference(thumbnail, first.crop(moving))
    to_middle = mean_difference(thumbnail, middle.crop(moving))
    assert to_first < CLOSE
    assert to_first + 3 < to_middle


@pytest.mark.parametrize("name", FAILED)
def test_rejected_upload_gets_a_readable_reason_and_no_thumbnail(
    corpus_run: CorpusRun, name: str
) -> None:
    row = corpus_run.rows[name]

    assert EXPECTED[name].reason in row["reason"]
    assert "Traceback" not in row["reason"]
    assert "thumbnail_key" not in row
    assert thumbnail_keys(corpus_run.pipeline, row["image_id"]) == []


def test_api_lists_every_upload_exactly_once(corpus_run: CorpusRun) -> None:
    ids = {image_id_of(corpus_run.pipeline, e.key): name for name, e in EXPECTED.items()}

    items = list_images(corpus_run.pipeline, page_size=5)

    listed = Counter(item["image_id"] for item in items if item["image_id"] in ids)
    statuses = {ids[item["image_id"]]: item["status"] for item in items if item["image_id"] in ids}
    assert listed == Counter(ids.keys())
    assert statuses == {name: expected.status for name, expected in EXPECTED.items()}
