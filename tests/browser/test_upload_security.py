"""What the gallery must never let through: markup in a key running as script, another
origin posting to the uploads bucket, or a form whose signature S3 did not issue."""

import json
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.images import draw_png, put_image, wait_until_finished
from tests.support.browser import PageWatch, open_gallery
from tests.support.corpus import corpus_file
from tests.support.sandbox import Pipeline

pytestmark = pytest.mark.browser

UPLOAD_TIMEOUT_MS = 60_000
FOREIGN_ORIGIN = "http://evil.invalid"
HOSTILE_KEY = "hostile/<script>alert(1)</script><img src=x onerror=alert(2)>.png"
# The card shows the last part of the key: what follows the slash of `</script>`.
HOSTILE_NAME = "script><img src=x onerror=alert(2)>.png"
# Next.js inlines page data in <script> tags: only a script that is the payload itself counts.
_COUNT_INJECTED_SCRIPTS = (
    "() => [...document.scripts].filter(s => s.textContent.trim() === 'alert(1)').length"
)


def _request_ticket(pipeline: Pipeline, filename: str, content_type: str) -> dict[str, Any]:
    body = json.dumps({"filename": filename, "content_type": content_type, "size": 4})
    status, _, answer = pipeline.http(
        "POST", "/uploads", body.encode(), {"Content-Type": "application/json"}
    )
    assert status == 201, answer
    return dict(json.loads(answer))


def _preflight(url: str, origin: str) -> requests.Response:
    """Ask S3, as a browser would before a cross-origin POST with an upload listener."""
    headers = {"Origin": origin, "Access-Control-Request-Method": "POST"}
    return requests.options(url, headers=headers, timeout=30)


def test_markup_in_a_key_is_shown_as_text_and_never_runs(
    page: Page, page_watch: PageWatch, browser_pipeline: Pipeline
) -> None:
    image_id = put_image(browser_pipeline, HOSTILE_KEY, draw_png(7), "image/png")
    wait_until_finished(browser_pipeline, [image_id])
    open_gallery(page)
    card = page.locator(f'[data-testid="image-card"][data-image-id="{image_id}"]')

    card.click()
    details = page.get_by_test_id("image-details")
    expect(details).to_contain_text(HOSTILE_KEY)
    page.keyboard.press("Escape")

    expect(card).to_contain_text(HOSTILE_NAME)
    expect(page.locator('img[src="x"]')).to_have_count(0)
    assert page.evaluate(_COUNT_INJECTED_SCRIPTS) == 0
    assert page_watch.dialogs == []


def test_upload_from_the_page_is_signed_and_allowed_by_the_bucket_cors(
    page: Page, browser_pipeline: Pipeline, gallery_url: str
) -> None:
    open_gallery(page)

    # The page posts twice: to its own /api/uploads for a ticket, then to storage.
    with (
        page.expect_response(f"{gallery_url}/api/uploads") as ticket_answer,
        page.expect_response(
            lambda answer: answer.request.method == "POST"
            and not answer.url.startswith(gallery_url)
        ) as storage_answer,
    ):
        page.get_by_test_id("upload-input").set_input_files(corpus_file("pillow-hopper_gray.jpg"))
    item = page.get_by_test_id("upload-item")
    expect(item).to_have_attribute("data-phase", "done", timeout=UPLOAD_TIMEOUT_MS)

    ticket = ticket_answer.value.json()
    stored = browser_pipeline.client("s3").head_object(
        Bucket=browser_pipeline.outputs["uploads_bucket"], Key=ticket["key"]
    )
    assert storage_answer.value.status == 204
    assert storage_answer.value.headers["access-control-allow-origin"] == gallery_url
    assert stored["ContentType"] == "image/jpeg"
    assert stored["ContentLength"] == corpus_file("pillow-hopper_gray.jpg").stat().st_size


def test_bucket_cors_refuses_a_preflight_from_another_origin(
    browser_pipeline: Pipeline, gallery_url: str
) -> None:
    upload_url = _request_ticket(browser_pipeline, "probe.png", "image/png")["upload"]["url"]

    foreign = _preflight(upload_url, FOREIGN_ORIGIN)
    gallery = _preflight(upload_url, gallery_url)

    assert "Access-Control-Allow-Origin" not in foreign.headers
    assert gallery.headers["Access-Control-Allow-Origin"] == gallery_url


def test_storage_refuses_an_upload_form_with_a_forged_signature(
    browser_pipeline: Pipeline,
) -> None:
    ticket = _request_ticket(browser_pipeline, "forged.png", "image/png")
    fields = {**ticket["upload"]["fields"], "x-amz-signature": "0" * 64}

    answer = requests.post(
        ticket["upload"]["url"],
        data=fields,
        files={"file": ("forged.png", draw_png(1), "image/png")},
        timeout=30,
    )

    assert answer.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in answer.text
