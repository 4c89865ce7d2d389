"""Headless Chromium and the gallery for the browser tests: started, watched and stopped here.

The browser is Debian's Chromium driven by Playwright (never a downloaded
one); the gallery is the standalone Next.js build, served on a free loopback
port against a provisioned pipeline's API.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Dialog, Page, Playwright, Request

from scripts import gallery

CHROMIUM_PATH = "/usr/bin/chromium"
# Quiet Chromium: no update checks, sync or other background traffic off the machine.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
LOOPBACK_HOST = "127.0.0.1"


def launch_chromium(playwright: Playwright) -> Browser:
    """Launch Debian's headless Chromium."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
    )


@contextmanager
def running_gallery(run_dir: Path, port: int, api_url: str, max_upload_bytes: int) -> Iterator[str]:
    """Build the gallery if its sources changed, serve it on `port`; yield its URL, then stop it.

    The build is the sandbox's (one build serves both); the pid file and log
    live in `run_dir`, so stopping never touches a gallery the sandbox runs.
    """
    gallery.ensure_built(report=lambda line: None)
    gallery.start(run_dir, port, api_url, max_upload_bytes)
    try:
        yield f"http://{LOOPBACK_HOST}:{port}"
    finally:
        gallery.stop(run_dir)


@dataclass
class PageWatch:
    """What a page did besides what the test asked: dialogs, script errors, foreign hosts."""

    dialogs: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_urls: list[str] = field(default_factory=list)


def watch_page(page: Page, watch: PageWatch) -> None:
    """Record into `watch` the page's dialogs (dismissed), uncaught errors and foreign requests.

    Watching only: routing requests would make Playwright answer CORS
    preflights itself and hide the bucket's real CORS rules.
    """

    def record_dialog(dialog: Dialog) -> None:
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def record_request(request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https") and parts.hostname != LOOPBACK_HOST:
            watch.foreign_urls.append(request.url)

    page.on("dialog", record_dialog)
    page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
    page.on("request", record_request)


def open_gallery(page: Page, path: str = "/") -> None:
    """Load a gallery page and wait until React has hydrated it (before that, input is lost)."""
    page.goto(path)
    page.locator("body[data-gallery-ready='true']").wait_for(state="attached")
