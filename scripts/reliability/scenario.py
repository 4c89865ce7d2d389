"""The stress run, phase by phase: empty listing, bursts with faults and a restart, recovery,
settling, the listing at scale, fuzzing. Each phase writes what it saw into the report.
"""

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console

from scripts import emulator, redrive, reprocess
from scripts.reliability import audit, faults, fuzzing, listing, load
from scripts.reliability.report import StressReport

T = TypeVar("T")

RETRY_ROUNDS = 5
RETRY_PAUSE_S = 2.0
# The restart hits a burst once about a third of its uploads are acknowledged.
RESTART_AFTER_FRACTION = 3


@dataclass(frozen=True)
class StressOptions:
    """How big the run is and how long each wait may last."""

    uploads: int = 1000
    burst_size: int = 32
    threads: int = 16
    invalid_every: int = 20
    api_every: int = 50
    transient: int = 6
    poison: int = 2
    listing_rows: int = 10_000
    fuzz_executions: int = 5000
    fuzz_seconds: float = 150.0
    corpus_dir: Path | None = None
    rng_seed: int = 1
    wait_s: float = 240.0


@dataclass
class StressContext:
    """What every phase works with: the deployed pipeline, its clients and the emulator."""

    console: Console
    options: StressOptions
    outputs: dict[str, Any]
    clients: dict[str, Any]
    paths: emulator.EmulatorPaths
    port: int
    role_name: str
    run_prefix: str
    findings_dir: Path
    report: StressReport = field(default_factory=StressReport)
    expected_ready: dict[str, bool] = field(default_factory=dict)
    uploads_retried: int = 0
    started_ms: int = field(default_factory=lambda: int(time.time() * 1000))

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.outputs['processor_function']}"

    def outage(self, fault: load.Fault) -> faults.AccessOutage:
        prefix = load.fault_prefix(self.run_prefix, fault)
        bucket = self.outputs["uploads_bucket"]
        return faults.AccessOutage(
            self.clients["iam"], self.role_name, bucket, prefix, f"stress-{fault}-outage"
        )


def poll_until(
    probe: Callable[[], T | None], timeout_s: float, interval_s: float = 1.0
) -> T | None:
    """Call `probe` until it returns something other than None; None after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value is not None or time.monotonic() > deadline:
            return value
        time.sleep(interval_s)


def check_empty_listing(ctx: StressContext) -> None:
    """GET /images on a table without rows: 200 and no items."""
    page = listing.check_listing(ctx.outputs["api_url"], ctx.clients["dynamodb"], _table(ctx))[0]
    ctx.report.pages.append(page)
    if not page.is_right:
        ctx.report.problems.append(f"GET /images on an empty table answered {page.status}")


def send_load(ctx: StressContext) -> None:
    """Send every planned upload in bursts, restarting the emulator in the middle burst."""
    options = ctx.options
    plan = load.plan_uploads(
        options.uploads,
        ctx.run_prefix,
        options.invalid_every,
        options.api_every,
        options.transient,
        options.poison,
    )
    report = ctx.report
    report.uploads = len(plan)
    report.api_uploads = sum(1 for upload in plan if upload.via_api)
    report.invalid_uploads = sum(1 for upload in plan if not upload.payload.is_valid)

    uploader = load.Uploader(
        ctx.clients["s3"], ctx.outputs["uploads_bucket"], ctx.outputs["api_url"], options.threads
    )
    bursts = list(load.split_bursts(plan, options.burst_size))
    restart_at = len(bursts) // 2
    sent: list[load.Sent] = []
    try:
        for number, burst in enumerate(bursts):
            futures = uploader.submit(burst)
            if number == restart_at:
                _restart_during(ctx, futures)
            sent.extend(_retry_failed(ctx, uploader, [future.result() for future in futures]))
    finally:
        uploader.close()

    for item in sent:
        if item.is_stored:
            ctx.expected_ready[item.key] = item.upload.payload.is_valid
    report.not_stored = sum(1 for item in sent if not item.is_stored)
    if report.not_stored:
        report.problems.append(f"{report.not_stored} uploads were never stored, even retried")


def _restart_during(ctx: StressContext, futures: list[Future[load.Sent]]) -> None:
    """Stop (SIGTERM) and start the emulator while the burst's uploads are in flight."""
    enough = max(1, len(futures) // RESTART_AFTER_FRACTION)
    deadline = time.monotonic() + ctx.options.wait_s
    while sum(future.done() for future in futures) < enough and time.monotonic() < deadline:
        time.sleep(0.01)
    acknowledged = sum(1 for future in futures if future.done() and future.result().is_stored)
    queued, in_flight = audit.queue_depth(ctx.clients["sqs"], ctx.outputs["queue_url"])

    stop_s, start_s = faults.restart_emulator(ctx.paths, ctx.port, enforce_auth=True)
    ctx.report.faults["emulator restart"] = {
        "stop_s": round(stop_s, 1),
        "start_s": round(start_s, 1),
        "burst_acknowledged_before_stop": acknowledged,
        "events_queued_at_stop": queued,
        "events_in_flight_at_stop": in_flight,
        "summary": f"SIGTERM after {acknowledged} of {len(futures)} uploads of a burst, "
        f"{queued} events queued and {in_flight} in flight; stopped in {stop_s:.1f} s, "
        f"up again in {start_s:.1f} s; in-flight events came back after the visibility timeout",
    }


def _retry_failed(
    ctx: StressContext, uploader: load.Uploader, results: list[load.Sent]
) -> list[load.Sent]:
    """Send again (a few rounds) what failed, as a client does after an outage."""
    done = [result for result in results if result.is_stored]
    failed = [result for result in results if not result.is_stored]
    ctx.uploads_retried += len(failed)
    for _ in range(RETRY_ROUNDS):
        if not failed:
            break
        time.sleep(RETRY_PAUSE_S)
        retried = [future.result() for future in uploader.resubmit(failed)]
        done += [result for result in retried if result.is_stored]
        failed = [result for result in retried if not result.is_stored]
    if failed:
        ctx.console.print(f"{len(failed)} uploads failed: {failed[0].error}")
    return done + failed


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


def settle_and_audit(ctx: StressContext) -> None:
    """Wait until every stored object has its final row, then audit thumbnails and listing."""
    clients, outputs = ctx.clients, ctx.outputs

    def settled() -> audit.Audit | None:
        look = audit.take_audit(clients, outputs, ctx.expected_ready)
        return look if look.is_settled else None

    poll_until(settled, ctx.options.wait_s, interval_s=2.0)
    final = audit.take_audit(
        clients, outputs, ctx.expected_ready, check_thumbnails=True, walk_listing=True
    )
    _copy_audit(ctx.report, final)


def _copy_audit(report: StressReport, final: audit.Audit) -> None:
    report.stored, report.ready, report.failed = final.stored, final.ready, final.failed
    report.lost = len(final.lost)
    report.unexpected = len(final.unexpected)
    report.missing_thumbnails = len(final.missing_thumbnails)
    report.duplicates = final.listing_duplicates
    report.orphans = len(final.orphans)
    report.pending_left = final.pending_left
    report.queue_left = final.queue_visible + final.queue_in_flight
    report.dlq_depth = final.dlq_depth
    report.listed, report.rows = final.listed, final.rows
    report.examples = {
        "lost": final.lost[:10],
        "unexpected": final.unexpected[:10],
        "missing_thumbnails": final.missing_thumbnails[:10],
        "orphans": final.orphans[:10],
    }

    broken = {
        "lost": report.lost,
        "with an unexpected outcome": report.unexpected,
        "ready without thumbnail": report.missing_thumbnails,
        "listed more than once": report.duplicates,
        "rows without an original": report.orphans,
        "pending rows left": report.pending_left,
        "messages left in the queue": report.queue_left,
        "dead letters left": report.dlq_depth,
    }
    report.problems += [f"{count} {what}" for what, count in broken.items() if count]
    if report.listed != report.rows:
        report.problems.append(f"GET /images listed {report.listed} of {report.rows} rows")


def check_listing_at_scale(ctx: StressContext) -> None:
    """Add synthetic rows up to `listing_rows` and check the first, a deep and the last page."""
    table, dynamodb = _table(ctx), ctx.clients["dynamodb"]
    count = max(0, ctx.options.listing_rows - ctx.report.rows)
    listing.write_items(dynamodb, table, listing.make_synthetic_rows(count, _list_shards(ctx)))

    for page in listing.check_listing(ctx.outputs["api_url"], dynamodb, table):
        named = replace(page, name=f"{page.name} of {ctx.options.listing_rows} rows")
        ctx.report.pages.append(named)
        if not named.is_right:
            ctx.report.problems.append(f"GET /images {named.name}: status {named.status}")

    total = ctx.report.rows + count
    listed = audit.list_image_ids(ctx.outputs["api_url"], max_pages=total // audit.PAGE_LIMIT + 5)
    is_complete = len(listed) == len(set(listed)) == total
    ctx.report.faults["API: every page by cursor"] = {
        "ok": is_complete,
        "listed": len(listed),
        "distinct": len(set(listed)),
        "rows": total,
        "summary": f"{len(listed)} items ({len(set(listed))} distinct) over "
        f"{-(-len(listed) // audit.PAGE_LIMIT)} pages for {total} rows",
    }
    if not is_complete:
        ctx.report.problems.append(f"walking GET /images listed {len(listed)} of {total} rows")


def _list_shards(ctx: StressContext) -> int:
    """Read the index shard count the deployed API uses."""
    function_name = ctx.outputs["api_function"]
    configuration = ctx.clients["lambda"].get_function_configuration(FunctionName=function_name)
    return int(configuration["Environment"]["Variables"].get("PIPELINE_LIST_SHARDS", "4"))


def start_fuzzing(ctx: StressContext) -> Callable[[], None]:
    """Run the fuzzing campaign in the background; the returned function waits for it."""
    options = ctx.options
    seeds = fuzzing.draw_seed_images()
    if options.corpus_dir is not None:
        seeds.update(fuzzing.read_corpus_seeds(options.corpus_dir))

    def campaign() -> None:
        summary = fuzzing.run_campaign(
            seeds,
            options.fuzz_executions,
            options.rng_seed,
            time_budget_s=options.fuzz_seconds,
            findings_dir=ctx.findings_dir,
        )
        ctx.report.fuzz = summary.as_dict()
        if summary.findings:
            ctx.report.problems.append(
                f"the fuzzer found {len(summary.findings)} inputs; see {ctx.findings_dir}"
            )

    thread = threading.Thread(target=campaign, name="fuzzing", daemon=True)
    thread.start()
    return thread.join


def _fault_keys(ctx: StressContext, fault: load.Fault) -> set[str]:
    prefix = load.fault_prefix(ctx.run_prefix, fault)
    return {key for key in ctx.expected_ready if key.startswith(prefix)}


def _table(ctx: StressContext) -> str:
    return str(ctx.outputs["table_name"])
