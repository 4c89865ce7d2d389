"""Unit tests of scripts/reliability/limits.py: images at the pixel limit, judged one by one."""

import io

from PIL import Image

from scripts.reliability import limits
from scripts.reliability.worker import Limits, Outcome

MAX_PIXELS = 10_000


def test_limit_images_are_square_at_the_pixel_limit_in_every_kind() -> None:
    images = limits.draw_limit_images(MAX_PIXELS)

    sizes = {name: Image.open(io.BytesIO(data)).size for name, data in images.items()}
    assert sizes == {name: (100, 100) for name, _, _ in limits.LIMIT_KINDS}


def test_each_limit_image_renders_in_a_worker_of_its_own() -> None:
    images = limits.draw_limit_images(MAX_PIXELS)

    probes = limits.probe_limits(images, MAX_PIXELS, Limits())

    assert [(probe.name, probe.outcome) for probe in probes] == [
        (name, Outcome("rendered")) for name, _, _ in limits.LIMIT_KINDS
    ]
    assert all(probe.peak_rss_kb > 0 for probe in probes)
