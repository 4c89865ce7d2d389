"""Unit tests of scripts/reliability/fuzzing.py: mutations, judging, and the bounded worker."""

import os
import threading
from collections.abc import Sequence
from pathlib import Path

from scripts.reliability import fuzzing
from scripts.reliability.worker import Limits, Outcome

PNG = fuzzing.draw_seed_images()["png_rgba"]


def answer_forever(data: bytes, max_edges: Sequence[int], max_pixels: int) -> Outcome:
    threading.Event().wait()
    return Outcome("rendered")


def exit_abruptly(data: bytes, max_edges: Sequence[int], max_pixels: int) -> Outcome:
    os._exit(9)


def reject_everything(data: bytes, max_edges: Sequence[int], max_pixels: int) -> Outcome:
    return Outcome("rejected", "NotAnImageError")


def test_same_mutations_give_the_same_bytes() -> None:
    mutations = (
        fuzzing.Mutation("write_integer", 0.3, 0x1234),
        fuzzing.Mutation("splice", 0.9, 0xABCDEF),
        fuzzing.Mutation("truncate", 0.95, 0),
    )

    first = fuzzing.apply_mutations(PNG, mutations, [PNG])
    second = fuzzing.apply_mutations(PNG, mutations, [PNG])

    assert first == second
    assert first != PNG


def test_every_operator_handles_empty_input() -> None:
    for operator in fuzzing.OPERATORS:
        mutated = fuzzing.apply_mutations(b"", [fuzzing.Mutation(operator, 0.5, 7)], [PNG])

        assert isinstance(mutated, bytes)


def test_truncate_keeps_the_bytes_before_the_position() -> None:
    mutated = fuzzing.apply_mutations(b"0123456789", [fuzzing.Mutation("truncate", 0.4, 0)], [])

    assert mutated == b"0123"


def test_seed_image_is_judged_rendered() -> None:
    assert fuzzing.check_input(PNG, (200, 64), 4_000_000) == Outcome("rendered")


def test_text_is_judged_rejected_with_the_rejection_class() -> None:
    outcome = fuzzing.check_input(b"hello", (200,), 4_000_000)

    assert outcome == Outcome("rejected", "NotAnImageError")


def test_campaign_counts_every_execution() -> None:
    summary = fuzzing.run_campaign({"png": PNG}, 5, 1, checker=reject_everything)

    assert (summary.executions, summary.rejected, summary.rejections) == (
        5,
        5,
        {"NotAnImageError": 5},
    )
    assert summary.findings == []


def test_input_without_an_answer_within_its_budget_is_a_finding(tmp_path: Path) -> None:
    limits = Limits(time_per_input_s=0.5)

    summary = fuzzing.run_campaign(
        {"png": PNG}, 2, 1, limits=limits, findings_dir=tmp_path, checker=answer_forever
    )

    assert [finding.detail for finding in summary.findings] == ["no answer within 0.5 s"] * 2
    saved = sorted(path.suffix for path in tmp_path.iterdir())
    assert saved == [".bin", ".bin", ".json", ".json"]


def test_worker_dying_is_a_finding_and_the_next_input_gets_a_new_worker() -> None:
    summary = fuzzing.run_campaign({"png": PNG}, 2, 1, checker=exit_abruptly)

    assert [finding.detail for finding in summary.findings] == [
        "the worker died (memory limit or crash)"
    ] * 2


def test_campaign_replays_from_its_seed() -> None:
    seeds = fuzzing.draw_seed_images()

    first = fuzzing.run_campaign(seeds, 30, 42, max_pixels=4_000_000)
    second = fuzzing.run_campaign(seeds, 30, 42, max_pixels=4_000_000)

    assert (first.rendered, first.rejections) == (second.rendered, second.rejections)
    assert first.findings == second.findings == []
