"""The gallery in headless Chromium against a real pipeline: empty state, uploads from the page,
paging by scrolling, and the larger view driven by the keyboard."""

from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.images import (
    draw_png,
    list_image_ids,
    put_corpus_image,
    put_image,
    wait_until_finished,
)
from tests.support.browser import open_gallery
from tests.support.corpus import corpus_file
from tests.support.sandbox import Pipeline

pytestmark = pytest.mark.browser

# The processor's first run in the emulator starts a fresh worker: allow for it.
SETTLE_TIMEOUT_MS = 120_000
UPLOAD_TIMEOUT_MS = 60_000
PAGE_SIZE = 20  # frontend/lib/paths.ts
PAGING_IMAGE_COUNT = 3 * PAGE_SIZE
UPLOADED_FILES = {
    "exif-Landscape_1.jpg": "ready",
    "pillow-hopper.webp": "ready",
    "pillow-broken.png": "failed",
}
# Loaded, and as large as the API said the thumbnail is (the attributes, not the CSS box).
_IS_DRAWN_AT_SIZE = """img => img.complete
    && img.naturalWidth === Number(img.getAttribute("width"))
    && img.naturalHeight === Number(img.getAttribute("height"))"""
_HAS_MORE_CARDS_THAN = "n => document.querySelectorAll('[data-testid=image-card]').length > n"


def _card_named(page: Page, name: str) -> Locator:
    return page.get_by_test_id("image-card").filter(has_text=name)


def _card_of(page: Page, image_id: str) -> Locator:
    return page.locator(f'[data-testid="image-card"][data-image-id="{image_id}"]')


def test_empty_gallery_shows_its_empty_state(page: Page) -> None:
    open_gallery(page)

    expect(page.get_by_test_id("empty-state")).to_be_visible()
    expect(page.get_by_test_id("empty-state")).to_contain_text("No images yet")
    expect(page.get_by_test_id("image-card")).to_have_count(0)
    expect(page.get_by_test_id("load-more")).to_have_count(0)


def test_files_picked_on_the_page_become_thumbnails_and_a_failed_card_without_reload(
    page: Page, browser_pipeline: Pipeline, artifacts_dir: Path
) -> None:
    open_gallery(page)
    page.evaluate("window.untouchedSinceLoad = true")

    page.get_by_test_id("upload-input").set_input_files(
        [corpus_file(name) for name in UPLOADED_FILES]
    )

    for name in UPLOADED_FILES:
        item = page.locator(f'[data-testid="upload-item"][data-file-name="{name}"]')
        expect(item).to_have_attribute("data-phase", "done", timeout=UPLOAD_TIMEOUT_MS)
    for name, status in UPLOADED_FILES.items():
        expect(_card_named(page, name)).to_have_count(1)
        expect(_card_named(page, name)).to_have_attribute(
            "data-status", status, timeout=SETTLE_TIMEOUT_MS
        )
    for name in ("exif-Landscape_1.jpg", "pillow-hopper.webp"):
        thumbnail = _card_named(page, name).get_by_role("img", name=name)
        page.wait_for_function(_IS_DRAWN_AT_SIZE, arg=thumbnail.element_handle())
    broken_id = _card_named(page, "pillow-broken.png").get_attribute("data-image-id")
    _, broken = browser_pipeline.get_json(f"/images/{broken_id}")
    assert broken["reason"].strip()
    reason = _card_named(page, "pillow-broken.png").get_by_test_id("failure-reason")
    expect(reason).to_have_text(broken["reason"])
    assert page.evaluate("window.untouchedSinceLoad") is True

    page.screenshot(path=artifacts_dir / "gallery.png", full_page=True)


def test_scrolling_loads_every_page_once_in_newest_first_order(
    page: Page, browser_pipeline: Pipeline
) -> None:
    image_ids = [
        put_image(browser_pipeline, f"paging/tile-{index:02d}.png", draw_png(index), "image/png")
        for index in range(PAGING_IMAGE_COUNT)
    ]
    statuses = wait_until_finished(browser_pipeline, image_ids)
    listed_ids = list_image_ids(browser_pipeline)

    open_gallery(page)
    cards = page.get_by_test_id("image-card")
    expect(cards.first).to_be_visible()
    # Each scroll to the bottom brings the sentinel into view and loads one more page.
    while (shown := cards.count()) < len(listed_ids):
        page.mouse.wheel(0, 100_000)
        page.wait_for_function(_HAS_MORE_CARDS_THAN, arg=shown)
    expect(page.get_by_text(f"All {len(listed_ids)} images shown.")).to_be_visible()
    shown_ids = cards.evaluate_all("cards => cards.map(card => card.dataset.imageId)")

    assert set(statuses.values()) == {"ready"}
    assert set(image_ids) <= set(listed_ids)
    assert len(listed_ids) > 2 * PAGE_SIZE
    assert len(set(shown_ids)) == len(shown_ids)
    assert shown_ids == listed_ids


def test_larger_view_opens_with_enter_and_closes_with_escape_back_to_its_card(
    page: Page, browser_pipeline: Pipeline
) -> None:
    image_id = put_corpus_image(
        browser_pipeline,
        "keyboard/exif-Landscape_3.jpg",
        corpus_file("exif-Landscape_3.jpg"),
        "image/jpeg",
    )
    wait_until_finished(browser_pipeline, [image_id])
    open_gallery(page)
    card = _card_of(page, image_id)
    dialog = page.get_by_test_id("image-dialog")

    card.focus()
    page.keyboard.press("Enter")

    expect(dialog).to_be_visible()
    expect(dialog.locator("#image-dialog-title")).to_have_text("exif-Landscape_3.jpg")
    expect(dialog.get_by_test_id("image-details")).to_contain_text("keyboard/exif-Landscape_3.jpg")

    page.keyboard.press("Escape")

    expect(dialog).to_have_count(0)
    expect(card).to_be_focused()
