"""The browser suite's own pipeline, gallery and Chromium, shared by every browser test.

The pipeline is a second, disposable one in the session's emulator, with names
of its own so the gallery starts empty, and CORS rules that let the gallery's
origin POST to the uploads bucket. Each test gets a fresh page.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.support.browser import (
    VIEWPORT,
    PageWatch,
    launch_chromium,
    running_gallery,
    watch_page,
)
from tests.support.sandbox import (
    Pipeline,
    free_port,
    provision_pipeline,
    settings_for,
    teardown_pipeline,
)

# Assertions wait for the page, never a fixed time; the machine is shared with
# the emulator and its functions, so a step may take longer than Playwright's 5 s.
expect.set_options(timeout=20_000)

_BROWSER_NAMES = {
    "PIPELINE_UPLOADS_BUCKET": "browser-check-uploads",
    "PIPELINE_THUMBNAILS_BUCKET": "browser-check-thumbnails",
    "PIPELINE_TABLE_NAME": "browser_check_metadata",
    "PIPELINE_QUEUE_NAME": "browser-check-queue",
    "PIPELINE_DLQ_NAME": "browser-check-dlq",
    "PIPELINE_PROCESSOR_FUNCTION": "browser-check-processor",
    "PIPELINE_API_FUNCTION": "browser-check-api",
    "PIPELINE_API_NAME": "browser-check-api",
    "PIPELINE_LAYER_NAME": "browser-check-deps",
}
# The empty gallery can be seen only before any other browser test has uploaded.
_RUNS_FIRST = "test_empty_gallery_shows_its_empty_state"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the empty-gallery test before every other browser test (the rest keep their order)."""
    suite_dir = Path(__file__).parent
    in_suite = [index for index, item in enumerate(items) if suite_dir in item.path.parents]
    first = [item for item in items if item.name == _RUNS_FIRST]
    if not in_suite or not first:
        return
    others = [item for item in items if item.name != _RUNS_FIRST]
    position = in_suite[0]
    items[:] = others[:position] + first + others[position:]


@pytest.fixture(scope="session")
def gallery_origin() -> str:
    """The origin the gallery will be served from, known before the pipeline is provisioned."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def browser_pipeline(
    pipeline: Pipeline, gallery_origin: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    """A pipeline of the browser suite's own in the session's emulator, torn down at the end."""
    overrides = {**_BROWSER_NAMES, "PIPELINE_ALLOWED_ORIGINS": gallery_origin}
    settings = settings_for(
        pipeline.settings.target,
        pipeline.settings.endpoint_url,
        tmp_path_factory.mktemp("browser-pipeline"),
        overrides=overrides,
        runtime=pipeline.settings.lambda_runtime,
    )
    built = provision_pipeline(settings)
    yield built
    teardown_pipeline(built)


@pytest.fixture(scope="session")
def gallery_url(
    browser_pipeline: Pipeline, gallery_origin: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The built gallery, served against the browser pipeline's API; stopped at the end."""
    port = int(gallery_origin.rsplit(":", 1)[1])
    run_dir = tmp_path_factory.mktemp("gallery")
    max_bytes = browser_pipeline.settings.max_upload_bytes
    with running_gallery(run_dir, port, browser_pipeline.api_url, max_bytes) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page_watch() -> PageWatch:
    """What this test's page did on its own: dialogs, script errors, requests off the machine."""
    return PageWatch()


@pytest.fixture
def page(browser: Browser, gallery_url: str, page_watch: PageWatch) -> Iterator[Page]:
    """A fresh page on the gallery's origin; fails the test on a script error or foreign request."""
    context = browser.new_context(
        base_url=gallery_url, viewport=VIEWPORT, locale="en-GB", timezone_id="UTC"
    )
    fresh = context.new_page()
    watch_page(fresh, page_watch)
    yield fresh
    context.close()
    assert page_watch.page_errors == []
    assert page_watch.foreign_urls == []


@pytest.fixture
def artifacts_dir() -> Path:
    """Where browser tests leave screenshots (git-ignored)."""
    directory = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
    directory.mkdir(parents=True, exist_ok=True)
    return directory
