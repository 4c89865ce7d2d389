"""Parts of the reliability stress command (scripts/stress.py): load, faults, checks, fuzzing."""
