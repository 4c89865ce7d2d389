"""Unit tests of scripts/reliability/context.py helpers (the phases run in the stress command)."""

from scripts.reliability import context


def test_poll_returns_the_first_answer() -> None:
    answers = iter([None, None, "done"])

    assert context.poll_until(lambda: next(answers), timeout_s=60, interval_s=0) == "done"


def test_poll_gives_up_with_none_once_its_time_is_over() -> None:
    calls: list[int] = []

    def never() -> None:
        calls.append(1)

    assert context.poll_until(never, timeout_s=-1, interval_s=0) is None
    assert calls == [1]
