"""Unit tests of scripts/reliability/imagery.py: varied valid images, invalid files that fail."""

import io

import pytest
from PIL import Image

from lambdas import renditions
from scripts.reliability import imagery


def test_images_cycle_through_every_format_announced_by_their_content_type() -> None:
    payloads = [imagery.make_image(index) for index in range(len(imagery.IMAGE_KINDS))]

    formats = [Image.open(io.BytesIO(payload.data)).format for payload in payloads]

    assert formats == [kind[0] for kind in imagery.IMAGE_KINDS]
    assert [payload.content_type for payload in payloads] == [
        kind[1] for kind in imagery.IMAGE_KINDS
    ]


def test_images_differ_in_size() -> None:
    sizes = {Image.open(io.BytesIO(imagery.make_image(index).data)).size for index in range(12)}

    assert len(sizes) == 12


@pytest.mark.parametrize("index", range(len(imagery.IMAGE_KINDS)))
def test_every_image_kind_renders(index: int) -> None:
    result = renditions.make_renditions(imagery.make_image(index).data)

    assert len(result.thumbnails) == 1


@pytest.mark.parametrize("index", range(len(imagery.INVALID_KINDS)), ids=imagery.INVALID_KINDS)
def test_every_invalid_kind_is_rejected(index: int) -> None:
    payload = imagery.make_invalid(index)

    with pytest.raises(renditions.ImageRejectedError):
        renditions.make_renditions(payload.data)

    assert (payload.is_valid, payload.kind) == (False, imagery.INVALID_KINDS[index])
