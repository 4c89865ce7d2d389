"""Duplicate and late events, as S3 and SQS deliver them at least once and out of order:
copies of processed objects' events, with their own sequencer and an older one, queued again.
"""

import json
import time
from collections import Counter
from datetime import UTC, datetime

from lambdas import records
from scripts.reliability import faults
from scripts.reliability.context import StressContext, table_name
from scripts.reprocess import Original, make_event
from scripts.results import read_rows

REPLAYED_OBJECTS = 20


def send_duplicate_and_late_events(ctx: StressContext) -> None:
    """Queue a duplicate and a late copy of the events of some ready objects; keep their rows."""
    bucket, region = ctx.outputs["uploads_bucket"], ctx.outputs["region"]
    ready = [
        row
        for row in read_rows(ctx.clients["dynamodb"], table_name(ctx))
        if row.get("status") == "ready" and str(row["original_key"]).startswith(ctx.run_prefix)
    ]
    chosen = sorted(ready, key=lambda row: str(row["original_key"]))[:REPLAYED_OBJECTS]

    for row in chosen:
        original = Original(str(row["original_key"]), int(row["byte_size"]), datetime.now(UTC))
        duplicate = make_event(bucket, region, original, row)
        late = make_event(bucket, region, original, {**row, "sequencer": _older(row)})
        for event in (duplicate, late):
            ctx.clients["sqs"].send_message(
                QueueUrl=ctx.outputs["queue_url"], MessageBody=json.dumps(event)
            )
    ctx.replayed_rows = {str(row["image_id"]): row for row in chosen}
    ctx.replayed_since_ms = int(time.time() * 1000)


def check_replayed_rows(ctx: StressContext) -> None:
    """Once the queue drained: every replayed object's row must be exactly as before."""
    rows = {
        str(row["image_id"]): row for row in read_rows(ctx.clients["dynamodb"], table_name(ctx))
    }
    changed = sorted(
        str(before["original_key"])
        for image_id, before in ctx.replayed_rows.items()
        if rows.get(image_id) != before
    )
    keys = {str(row["original_key"]) for row in ctx.replayed_rows.values()}
    seen = {
        outcome: sum(count for key, count in lines.items() if key in keys)
        for outcome, lines in _logged_outcomes(ctx).items()
    }
    count = len(ctx.replayed_rows)
    is_ok = not changed and seen == {"duplicate": count, "stale": count}
    ctx.report.faults["duplicate and late events"] = {
        "ok": is_ok,
        "objects": count,
        "changed": changed[:10],
        "logged": seen,
        "summary": f"{count} events delivered again and {count} older ones late; the processor "
        f"logged {seen['duplicate']} duplicates and {seen['stale']} stale events; "
        f"{count - len(changed)} rows left exactly as they were",
    }
    if not is_ok:
        ctx.report.problems.append(
            f"duplicate and late events: {len(changed)} rows changed, outcomes logged {seen}"
        )


def _logged_outcomes(ctx: StressContext) -> dict[str, Counter[str]]:
    logs, since_ms = ctx.clients["logs"], ctx.replayed_since_ms - 1000
    return {
        outcome: faults.count_log_lines(logs, ctx.log_group, message, since_ms)
        for outcome, message in (
            ("duplicate", "duplicate event ignored"),
            ("stale", "stale event ignored"),
        )
    }


def _older(row: dict[str, object]) -> str:
    """Return a sequencer just older than the row's (S3 sequencers grow per key)."""
    sequencer = int(str(row["sequencer"]), 16)
    return f"{max(sequencer - 1, 0):0{records.SEQUENCER_WIDTH}X}"
