"""The parts of `python3 scripts/dev.py bench`: image compute, end to end, API pages, cold start.

scripts/bench.py runs them in order and writes artifacts/bench/ (JSON and a PNG chart).
"""
