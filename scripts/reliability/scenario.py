"""The stress run's load and checks: empty listing, bursts with a restart, settling, the
listing at scale, fuzzing. Each phase writes what it saw into the report; the recovery
phases live in scripts/reliability/recovery.py.
"""

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import asdict, replace

from scripts.reliability import audit, faults, fuzzing, limits, listing, load
from scripts.reliability.context import StressContext, poll_until, table_name
from scripts.reliability.report import StressReport
from scripts.reliability.worker import Limits

RETRY_ROUNDS = 5
RETRY_PAUSE_S = 2.0
# The restart hits a burst once about a third of its uploads are acknowledged.
RESTART_AFTER_FRACTION = 3


def check_empty_listing(ctx: StressContext) -> None:
    """GET /images on a table without rows: 200 and no items."""
    api_url, dynamodb = ctx.outputs["api_url"], ctx.clients["dynamodb"]
    page = listing.check_listing(api_url, dynamodb, table_name(ctx))[0]
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
    ctx.tickets_lost += sum(result.lost_ticket for result in failed)
    for _ in range(RETRY_ROUNDS):
        if not failed:
            break
        time.sleep(RETRY_PAUSE_S)
        retried = [future.result() for future in uploader.resubmit(failed)]
        done += [result for result in retried if result.is_stored]
        failed = [result for result in retried if not result.is_stored]
        ctx.tickets_lost += sum(result.lost_ticket for result in failed)
    if failed:
        ctx.console.print(f"{len(failed)} uploads failed: {failed[0].error}")
    return done + failed


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
    ctx.report.tickets_lost = ctx.tickets_lost
    _copy_audit(ctx.report, final)


def _copy_audit(report: StressReport, final: audit.Audit) -> None:
    report.stored, report.ready, report.failed = final.stored, final.ready, final.failed
    report.lost = len(final.lost)
    report.unexpected = len(final.unexpected)
    report.missing_thumbnails = len(final.missing_thumbnails)
    report.duplicates = final.listing_duplicates
    report.orphans = len(final.orphans)
    report.abandoned = len(final.abandoned)
    report.pending_left = final.pending_left
    report.queue_left = final.queue_visible + final.queue_in_flight
    report.dlq_depth = final.dlq_depth
    report.listed, report.rows = final.listed, final.rows
    report.examples = {
        "lost": final.lost[:10],
        "unexpected": final.unexpected[:10],
        "missing_thumbnails": final.missing_thumbnails[:10],
        "orphans": final.orphans[:10],
        "abandoned": final.abandoned[:10],
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
    if report.abandoned > report.tickets_lost:
        report.problems.append(
            f"{report.abandoned} pending rows without an upload, "
            f"but only {report.tickets_lost} POST /uploads answers were lost"
        )


def check_listing_at_scale(ctx: StressContext) -> None:
    """Add synthetic rows up to `listing_rows` and check the first, a deep and the last page."""
    table, dynamodb = table_name(ctx), ctx.clients["dynamodb"]
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
    """Fuzz, then probe the pixel limit, in the background; the returned function waits for both.

    Both use the deployed processor's sizes and pixel limit.
    """
    options = ctx.options
    deployed = ctx.clients["lambda"].get_function_configuration(
        FunctionName=ctx.outputs["processor_function"]
    )
    variables = deployed["Environment"]["Variables"]
    max_edges = tuple(int(size) for size in variables["PIPELINE_THUMBNAIL_SIZES"].split(","))
    max_pixels = int(variables["PIPELINE_MAX_PIXELS"])
    seeds = fuzzing.draw_seed_images()
    if options.corpus_dir is not None:
        seeds.update(fuzzing.read_corpus_seeds(options.corpus_dir))

    def campaign() -> None:
        summary = fuzzing.run_campaign(
            seeds,
            options.fuzz_executions,
            options.rng_seed,
            max_edges=max_edges,
            max_pixels=max_pixels,
            time_budget_s=options.fuzz_seconds,
            findings_dir=ctx.findings_dir,
        )
        ctx.report.fuzz = summary.as_dict()
        if summary.findings:
            ctx.report.problems.append(
                f"the fuzzer found {len(summary.findings)} inputs; see {ctx.findings_dir}"
            )
        _probe_pixel_limit(ctx, max_pixels, int(deployed["MemorySize"]))

    thread = threading.Thread(target=campaign, name="fuzzing", daemon=True)
    thread.start()
    return thread.join


def _probe_pixel_limit(ctx: StressContext, max_pixels: int, memory_mb: int) -> None:
    """Decode flat images of the largest accepted size; compare peak memory with the function's."""
    inputs = limits.draw_limit_images(max_pixels)
    probes = limits.probe_limits(inputs, max_pixels, Limits())
    peak = max(probes, key=lambda probe: probe.peak_rss_kb)
    slowest = max(probe.duration_ms for probe in probes)
    verdicts = sorted({probe.outcome.verdict for probe in probes})
    is_ok = "finding" not in verdicts and peak.peak_rss_kb < memory_mb * 1024

    sizes = sorted(probe.file_bytes for probe in probes)
    ctx.report.faults["pixel limit"] = {
        "ok": is_ok,
        "probes": [{**asdict(probe), "outcome": probe.outcome.verdict} for probe in probes],
        "summary": f"{len(probes)} flat images of {max_pixels:,} px in files of "
        f"{sizes[0] // 1000}-{sizes[-1] // 1000} kB: {', '.join(verdicts)}; slowest "
        f"{slowest / 1000:.1f} s; peak {peak.peak_rss_kb // 1024} MiB ({peak.name}) of the "
        f"processor's {memory_mb} MB",
    }
    if not is_ok:
        ctx.report.problems.append(f"pixel limit: {ctx.report.faults['pixel limit']['summary']}")
