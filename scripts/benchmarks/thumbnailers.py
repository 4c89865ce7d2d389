"""The thumbnailers the compute benchmark compares: ours, the tutorial's and libvips'.

Each takes an original's bytes and returns a JPEG within 200×200; imports happen
inside each, so a worker process loads only the library it measures.
"""

from collections.abc import Callable

MAX_EDGE = 200
VIPS_JPEG_QUALITY = 85
# A gallery's three sizes: the default thumbnail, a card and a lightbox preview.
THREE_EDGES = (200, 400, 800)


def make_ours(data: bytes) -> bytes:
    """Our pipeline's step: lambdas.renditions with the default size."""
    from lambdas import renditions

    return renditions.make_renditions(data, (MAX_EDGE,)).thumbnails[0].data


def make_ours_three_sizes(data: bytes) -> bytes:
    """Our step configured with three sizes: one decode, three resizes and encodes."""
    from lambdas import renditions

    return renditions.make_renditions(data, THREE_EDGES).thumbnails[0].data


def make_tutorial(data: bytes) -> bytes:
    """The tutorial's Pillow steps, as the benchmark's tutorial Lambda runs them."""
    from scripts.benchmarks import tutorial_lambda

    return tutorial_lambda.make_thumbnail(data)


def make_libvips(data: bytes) -> bytes:
    """libvips' thumbnail (shrink-on-load), flattened on white, saved as JPEG without metadata."""
    import pyvips

    image = pyvips.Image.thumbnail_buffer(data, MAX_EDGE, height=MAX_EDGE)
    if image.hasalpha():
        image = image.flatten(background=[255] * (image.bands - 1))
    return bytes(image.jpegsave_buffer(Q=VIPS_JPEG_QUALITY, keep="none"))


THUMBNAILERS: dict[str, Callable[[bytes], bytes]] = {
    "ours": make_ours,
    "ours-3-sizes": make_ours_three_sizes,
    "tutorial": make_tutorial,
    "libvips": make_libvips,
}
