"""The embedded sandbox: emulator, provisioning and gallery, started and stopped as one.

    python3 scripts/dev.py up | down | status | reset

`up` starts MiniStack on 127.0.0.1 (or uses whatever already answers on the
endpoint, such as a LocalStack from docker compose), provisions every
resource, starts the gallery and prints where to look.
"""

import argparse
import os
import shutil
import sys

from rich.console import Console

from bootstrap import provision
from bootstrap.aws import MissingCredentialsError
from bootstrap.outputs import read_outputs
from bootstrap.packaging import PackagingError
from bootstrap.reconcile import ProvisioningError
from bootstrap.settings import SANDBOX_DIR, Settings, load_settings
from scripts import emulator, gallery, results

EMULATOR = emulator.EmulatorPaths(
    venv_dir=SANDBOX_DIR / "ministack" / "venv", data_dir=SANDBOX_DIR / "ministack" / "data"
)
STATE_DIR = SANDBOX_DIR / "run"


def _endpoint_url() -> str:
    settings = load_settings("local")
    return settings.endpoint_url or f"http://127.0.0.1:{settings.ministack_port}"


def up(console: Console, skip_gallery: bool) -> int:
    """Bring the whole sandbox up and print where to look."""
    settings = load_settings("local")
    endpoint_url = _endpoint_url()
    os.environ["AWS_ENDPOINT_URL"] = endpoint_url

    if emulator.is_answering(endpoint_url):
        console.print(f"using the emulator already answering on {endpoint_url}")
    else:
        emulator.install(EMULATOR.venv_dir, report=console.print)
        with console.status(f"starting MiniStack on {endpoint_url}"):
            pid = emulator.start(
                EMULATOR, settings.ministack_port, enforce_auth=settings.ministack_auth
            )
        console.print(
            f"MiniStack {emulator.MINISTACK_VERSION} started (pid {pid}), log {EMULATOR.log_file}"
        )

    if provision.main(console, []) != 0:
        return 1
    outputs = read_outputs(settings.outputs_file)

    gallery_url = f"http://127.0.0.1:{settings.gallery_port}"
    if not skip_gallery:
        _start_gallery(console, settings, outputs["api_url"])

    _print_where_to_look(console, outputs, None if skip_gallery else gallery_url)
    return 0


def _start_gallery(console: Console, settings: Settings, api_url: str) -> None:
    port = settings.gallery_port
    gallery.stop(STATE_DIR)
    gallery.ensure_built(report=console.print)
    with console.status(f"starting the gallery on port {port}"):
        pid = gallery.start(STATE_DIR, port, api_url, settings.max_upload_bytes)
    console.print(f"gallery started (pid {pid}), log {STATE_DIR / 'gallery.log'}")


def _print_where_to_look(
    console: Console, outputs: dict[str, str], gallery_url: str | None
) -> None:
    endpoint = outputs["endpoint_url"]
    bucket = outputs["uploads_bucket"]
    console.print()
    if gallery_url:
        console.print(f"  gallery            {gallery_url}")
    console.print(f"  API                {outputs['api_url']}/images")
    console.print(f"  uploads bucket     s3://{bucket}")
    console.print(f"  thumbnails bucket  s3://{outputs['thumbnails_bucket']}")
    console.print(f"  metadata table     {outputs['table_name']}")
    console.print()
    console.print(
        "  upload a photo:    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test "
        f"aws --endpoint-url {endpoint} s3 cp photo.jpg s3://{bucket}/photo.jpg"
    )
    console.print("  see the results:   python3 scripts/dev.py status")
    console.print("  stop everything:   python3 scripts/dev.py down")


def _stop_all(console: Console) -> bool:
    """Stop the gallery and the emulator we started; tell whether the emulator was running."""
    if gallery.stop(STATE_DIR):
        console.print("gallery stopped")
    return emulator.stop(EMULATOR)


def down(console: Console) -> int:
    """Stop the gallery and the emulator that `up` started (the emulator saves its state)."""
    if _stop_all(console):
        console.print("MiniStack stopped (state saved)")
    else:
        console.print("no MiniStack of ours was running")
    return 0


def status(console: Console) -> int:
    """Show what runs and the table of uploaded images."""
    settings = load_settings("local")
    endpoint_url = _endpoint_url()
    console.print(
        f"emulator {endpoint_url}: "
        f"{'answering' if emulator.is_answering(endpoint_url) else 'not answering'}"
    )
    gallery_url = f"http://127.0.0.1:{settings.gallery_port}"
    console.print(
        f"gallery  {gallery_url}: "
        f"{'answering' if gallery.is_answering(gallery_url) else 'not answering'}"
    )
    if not emulator.is_answering(endpoint_url):
        return 1
    if not settings.outputs_file.exists():
        console.print("pipeline not provisioned: run 'python3 scripts/dev.py up'")
        return 1
    return results.main(["--outputs", str(settings.outputs_file)])


def reset(console: Console) -> int:
    """Stop everything and delete the sandbox's data (emulator state, outputs, logs)."""
    _stop_all(console)
    shutil.rmtree(EMULATOR.data_dir, ignore_errors=True)
    shutil.rmtree(STATE_DIR, ignore_errors=True)
    load_settings("local").outputs_file.unlink(missing_ok=True)
    console.print("sandbox data deleted; 'up' starts afresh")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the embedded sandbox.")
    parser.add_argument("command", choices=["up", "down", "status", "reset"])
    parser.add_argument("--no-gallery", action="store_true", help="up: skip the gallery")
    arguments = parser.parse_args(argv)
    console = Console(soft_wrap=True)

    try:
        if arguments.command == "up":
            return up(console, arguments.no_gallery)
        return {"down": down, "status": status, "reset": reset}[arguments.command](console)
    except (
        emulator.EmulatorError,
        gallery.GalleryError,
        ProvisioningError,
        PackagingError,
        MissingCredentialsError,
    ) as exc:
        console.print(f"[red]error:[/red] {exc}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
