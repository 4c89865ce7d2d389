"""The shared corpus of real images made by other people (read in place, never copied)."""

import os
from pathlib import Path

CORPUS_DIR = Path(
    os.environ.get("PIPELINE_CORPUS_DIR", Path(__file__).resolve().parents[3] / "shared" / "corpus")
)


def corpus_file(name: str) -> Path:
    """Return the path of one corpus image, failing clearly when the corpus is missing."""
    path = CORPUS_DIR / name
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found: the corpus lives in ../shared/corpus beside the checkout "
            "(or set PIPELINE_CORPUS_DIR)"
        )
    return path
