"""The recovery phases of the stress run: a denial lifted, dead letters redriven once their
cause is fixed, and originals whose event was lost reprocessed.
"""

from scripts import redrive, reprocess
from scripts.reliability import audit, faults, load
from scripts.reliability.context import StressContext, poll_until


def start_outages(ctx: StressContext) -> str:
    """Deny reads under the transient and poison prefixes; queue an unreadable message."""
    ctx.outage("transient").begin()
    ctx.outage("poison").begin()
    return faults.send_unreadable_message(ctx.clients["sqs"], ctx.outputs["queue_url"])


def end_transient_outage(ctx: StressContext) -> None:
    """Wait until every transient upload has failed once, then allow its reads again."""
    keys = _fault_keys(ctx, "transient")

    def all_failed_once() -> set[str] | None:
        logged = faults.count_logged_failures(ctx.clients["logs"], ctx.log_group, ctx.started_ms)
        failed = {key for key in keys if logged[key]}
        return failed if failed == keys else None

    failed = poll_until(all_failed_once, ctx.options.wait_s, interval_s=2.0) or set()
    ctx.outage("transient").end()
    ctx.report.faults["transient denial"] = {
        "ok": failed == keys,
        "objects": len(keys),
        "failed_first_attempt": len(failed),
        "summary": f"{len(keys)} reads denied for a while: {len(failed)} failed their first "
        "attempt while neighbours in the same batches went on; retried after the outage",
    }
    if failed != keys:
        ctx.report.problems.append(f"{len(keys - failed)} transient uploads never failed first")


def redrive_poison(ctx: StressContext) -> None:
    """Wait until the poison messages are dead letters, fix the cause, redrive them."""
    keys = _fault_keys(ctx, "poison")
    expected_depth = len(keys) + 1

    def dead_letters() -> int | None:
        depth = sum(audit.queue_depth(ctx.clients["sqs"], ctx.outputs["dlq_url"]))
        return depth if depth >= expected_depth else None

    depth = poll_until(dead_letters, ctx.options.wait_s, interval_s=2.0) or 0
    ctx.outage("poison").end()
    result = redrive.redrive(
        ctx.outputs,
        drop_unreadable=True,
        clients={"sqs": ctx.clients["sqs"], "logs": ctx.clients["logs"]},
    )

    reasons = sorted({reason for _, _, reason in result.actions})
    moved, dropped = result.count("moved"), result.count("dropped")
    is_ok = depth == expected_depth and moved == len(keys) and dropped == 1
    ctx.report.faults["poison and redrive"] = {
        "ok": is_ok,
        "dead_letters": depth,
        "moved": moved,
        "dropped_unreadable": dropped,
        "reasons": reasons,
        "summary": f"{depth} dead letters ({len(keys)} denied objects, 1 unreadable message); "
        f"cause fixed, {moved} moved back, {dropped} unreadable dropped; "
        f"reasons: {'; '.join(': '.join(reason.split(': ')[:2]) for reason in reasons)}",
    }
    if not is_ok:
        ctx.report.problems.append(
            f"dead letters: {depth} of {expected_depth} arrived, {moved} moved, {dropped} dropped"
        )


def reconcile(ctx: StressContext) -> None:
    """Once the queue is drained, reprocess originals whose event never produced a row."""

    def drained() -> bool | None:
        visible, in_flight = audit.queue_depth(ctx.clients["sqs"], ctx.outputs["queue_url"])
        return True if visible + in_flight == 0 else None

    poll_until(drained, ctx.options.wait_s, interval_s=2.0)
    summary = reprocess.reprocess(
        ctx.outputs,
        reprocess.Options(concurrency=2),
        ctx.console,
        clients={name: ctx.clients[name] for name in ("s3", "dynamodb", "lambda")},
        checkpoint_dir=ctx.findings_dir.parent / "reprocess",
    )
    recovered = summary.chosen.get("no row", 0) + summary.chosen.get("pending", 0)
    ctx.report.faults["recovery (reprocess)"] = {
        "ok": not summary.errors,
        "chosen": summary.chosen,
        "reprocessed": summary.reprocessed,
        "errors": summary.errors[:10],
        "summary": f"after the queue drained: {recovered} originals without a final row "
        f"(events lost), {summary.reprocessed} reprocessed, {len(summary.errors)} errors",
    }
    if summary.errors:
        ctx.report.problems.append(f"reprocess failed for {len(summary.errors)} originals")


def _fault_keys(ctx: StressContext, fault: load.Fault) -> set[str]:
    prefix = load.fault_prefix(ctx.run_prefix, fault)
    return {key for key in ctx.expected_ready if key.startswith(prefix)}
