"""Unit tests of scripts/reliability/memory.py: a process tree's resident memory from /proc."""

import os
import subprocess
import sys
from pathlib import Path

from scripts.reliability import memory


def write_process(proc: Path, pid: int, parent: int, resident_pages: int, name: str) -> None:
    folder = proc / str(pid)
    folder.mkdir()
    (folder / "stat").write_text(f"{pid} ({name}) S {parent} {pid} 0 0\n")
    (folder / "statm").write_text(f"1000 {resident_pages} 10 0 0 0 0\n")


def test_tree_sums_the_root_and_every_descendant_only(tmp_path: Path) -> None:
    write_process(tmp_path, 10, 1, 100, "ministack")
    write_process(tmp_path, 11, 10, 20, "worker (python) )")
    write_process(tmp_path, 12, 11, 3, "grandchild")
    write_process(tmp_path, 20, 1, 5000, "unrelated")

    total = memory.tree_rss_bytes(10, proc=tmp_path)

    assert total == (100 + 20 + 3) * memory.PAGE_BYTES


def test_gone_process_weighs_nothing(tmp_path: Path) -> None:
    assert memory.tree_rss_bytes(4242, proc=tmp_path) == 0


def test_live_tree_includes_a_child_process() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with_child = memory.tree_rss_bytes(os.getpid())
        child_alone = memory.tree_rss_bytes(child.pid)
    finally:
        child.kill()
        child.wait()

    assert with_child > child_alone > 0


def test_sampler_keeps_the_peak_of_its_samples(tmp_path: Path) -> None:
    sampler = memory.PeakMemorySampler(lambda: os.getpid())

    sampler.sample()

    assert sampler.stop() > 0
