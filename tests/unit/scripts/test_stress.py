"""Unit tests of scripts/stress.py: its options (the run itself needs an emulator)."""

from scripts import stress


def test_defaults_are_a_thousand_uploads_in_bursts_of_32() -> None:
    arguments = stress._parse_args([])

    assert (arguments.uploads, arguments.burst, arguments.listing_rows) == (1000, 32, 10_000)


def test_uploads_and_fuzzing_can_be_shrunk() -> None:
    arguments = stress._parse_args(["--uploads", "50", "--fuzz-executions", "10", "--no-corpus"])

    assert (arguments.uploads, arguments.fuzz_executions, arguments.no_corpus) == (50, 10, True)


def test_free_port_is_a_loopback_port_nobody_holds() -> None:
    port = stress.free_port()

    assert 0 < port < 65536
