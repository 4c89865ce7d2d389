"""GET /images over real HTTP: every image exactly once, newest first, also while rows arrive.

A disposable pipeline (its own table, so the expected listing is exact) holds
250 rows written straight into DynamoDB, shaped by lambdas.rows as the
processor writes them, and a few real uploads processed by the pipeline.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from lambdas.records import ImageRow, make_image_id
from tests.support.api import (
    delete_rows,
    draw_jpeg,
    listed_ids,
    make_seed_row,
    parse_moment,
    provision_disposable,
    put_rows,
    read_pages,
    read_row,
    request_upload,
)
from tests.support.sandbox import Pipeline, teardown_pipeline, wait_for

SEEDED_COUNT = 250
SEED_SPACING = timedelta(seconds=14, milliseconds=357)
REAL_UPLOAD_KEYS = ("paging/real one.jpg", "paging/real-two.jpg", "paging/real-three.jpg")
PAGE_LIMITS = (1, 7, 24, 100)
ONE_MS = timedelta(milliseconds=1)


@dataclass(frozen=True)
class Gallery:
    """The disposable pipeline and where each of its images sits in the newest-first index."""

    pipeline: Pipeline
    positions: dict[str, str]

    def expected_ids(self, extra_positions: Mapping[str, str]) -> list[str]:
        """Return the ids a complete listing must give, newest first."""
        merged = {**self.positions, **extra_positions}
        return sorted(merged, key=lambda image_id: merged[image_id], reverse=True)


def _upload_real_images(disposable: Pipeline) -> dict[str, str]:
    bucket_name = disposable.outputs["uploads_bucket"]
    s3 = disposable.client("s3")
    for number, key in enumerate(REAL_UPLOAD_KEYS):
        photo = draw_jpeg(320 + number * 40, 240)
        s3.put_object(Bucket=bucket_name, Key=key, Body=photo, ContentType="image/jpeg")

    positions = {}
    for key in REAL_UPLOAD_KEYS:
        image_id = make_image_id(bucket_name, key)
        row = wait_for(
            lambda image_id=image_id: _ready_row(disposable, image_id), what=f"row of {key}"
        )
        positions[image_id] = row["list_sort"]["S"]
    return positions


def _ready_row(disposable: Pipeline, image_id: str) -> dict[str, Any] | None:
    row = read_row(disposable, image_id)
    return row if row and row["status"]["S"] == "ready" else None


def _seed_keys() -> list[str]:
    return [f"paging/seed-{n:03d}.jpg" for n in range(SEEDED_COUNT)]


def _seed_rows(disposable: Pipeline) -> dict[str, str]:
    bucket_name = disposable.outputs["uploads_bucket"]
    shard_count = disposable.settings.list_shards
    newest = datetime.now(UTC)
    seeds = [
        make_seed_row(
            bucket_name, f"paging/seed-{n:03d}.jpg", newest - n * SEED_SPACING, shard_count
        )
        for n in range(SEEDED_COUNT)
    ]
    put_rows(disposable, seeds)
    return {row["image_id"]: row["list_sort"] for row in seeds}


@pytest.fixture(scope="module")
def gallery(pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gallery]:
    work_dir = tmp_path_factory.mktemp("api-paging")
    disposable = provision_disposable(pipeline, work_dir, "api-paging")
    try:
        positions = {**_upload_real_images(disposable), **_seed_rows(disposable)}
        # A global index is eventually consistent on AWS: wait until it holds every row.
        wait_for(
            lambda: True if set(listed_ids(disposable)) == set(positions) else None,
            what="the index to list every seeded row",
        )
        yield Gallery(disposable, positions)
    finally:
        teardown_pipeline(disposable)


@dataclass
class Arrivals:
    """Rows that land while a client pages through the listing.

    Newer ones (a POST /uploads, a row stamped now, a row just above the
    cursor) sort before the cursor, so later pages never show them; older
    ones (just below the cursor, below the oldest image) must show exactly once.
    """

    gallery: Gallery
    hidden_ids: list[str] = field(default_factory=list)
    listable: dict[str, str] = field(default_factory=dict)

    def between_pages(self, index: int, page: dict[str, Any]) -> None:
        """Write this round's arrivals, placed around the cursor of `page`."""
        cursor_moment = parse_moment(page["items"][-1]["uploaded_at"])
        newer = [
            self._row(f"newer-{index}", datetime.now(UTC)),
            self._row(f"above-cursor-{index}", cursor_moment + ONE_MS),
        ]
        older: list[ImageRow] = []
        if index == 0:
            self._announce_upload()
            older.append(self._row("below-oldest", self._oldest_moment() - timedelta(seconds=1)))
        if index == 1:
            older.append(self._row("below-cursor", cursor_moment - ONE_MS))

        put_rows(self.gallery.pipeline, newer + older)
        self.hidden_ids.extend(row["image_id"] for row in newer)
        self.listable.update({row["image_id"]: row["list_sort"] for row in older})

    def remove(self) -> None:
        delete_rows(self.gallery.pipeline, [*self.hidden_ids, *self.listable])

    def _announce_upload(self) -> None:
        ticket = request_upload(self.gallery.pipeline, "arrival.png", "image/png")
        self.hidden_ids.append(ticket["image_id"])

    def _oldest_moment(self) -> datetime:
        positions = self.gallery.positions.values()
        return min(parse_moment(position.split("#")[0]) for position in positions)

    def _row(self, name: str, moment: datetime) -> ImageRow:
        disposable = self.gallery.pipeline
        key = f"arrivals/{name}.jpg"
        return make_seed_row(
            disposable.outputs["uploads_bucket"], key, moment, disposable.settings.list_shards
        )


@pytest.mark.parametrize("limit", PAGE_LIMITS, ids=lambda limit: f"limit-{limit}")
def test_pages_list_every_image_once_newest_first(gallery: Gallery, limit: int) -> None:
    pages = read_pages(gallery.pipeline, limit)

    listed = [item["image_id"] for page in pages for item in page["items"]]
    assert listed == gallery.expected_ids({})
    assert [len(page["items"]) for page in pages[:-1]] == [limit] * (len(pages) - 1)
    assert 1 <= len(pages[-1]["items"]) <= limit


@pytest.mark.parametrize("limit", PAGE_LIMITS, ids=lambda limit: f"limit-{limit}")
def test_rows_arriving_between_pages_are_listed_at_most_once_in_order(
    gallery: Gallery, limit: int
) -> None:
    arrivals = Arrivals(gallery)

    try:
        pages = read_pages(gallery.pipeline, limit, arrivals.between_pages)
        relisted = set(listed_ids(gallery.pipeline))
    finally:
        arrivals.remove()

    listed = [item["image_id"] for page in pages for item in page["items"]]
    assert listed == gallery.expected_ids(arrivals.listable)
    assert len(arrivals.listable) == 2
    # The newer rows were in the index all along, only before the cursor.
    assert set(arrivals.hidden_ids) <= relisted


def test_listing_without_limit_gives_pages_of_24(gallery: Gallery) -> None:
    status, page = gallery.pipeline.get_json("/images")

    assert status == 200
    assert [item["image_id"] for item in page["items"]] == gallery.expected_ids({})[:24]
    assert page["next_cursor"] is not None


def test_seeded_row_is_listed_with_its_stored_fields(gallery: Gallery) -> None:
    oldest_id = gallery.expected_ids({})[-1]

    status, item = gallery.pipeline.get_json(f"/images/{oldest_id}")

    assert status == 200
    assert item["name"] == f"seed-{SEEDED_COUNT - 1:03d}.jpg"
    assert (item["status"], item["format"], item["content_type"]) == (
        "ready",
        "JPEG",
        "image/jpeg",
    )
    assert (item["width"], item["height"], item["byte_size"]) == (640, 480, 54_321)
    assert [(t["max_edge"], t["width"], t["height"]) for t in item["thumbnails"]] == [
        (200, 200, 150)
    ]
    assert urlsplit(item["thumbnail_url"]).path == urlsplit(item["thumbnails"][0]["url"]).path
