"""Rebuild thumbnails and rows for originals already in the uploads bucket.

    python -m scripts.reprocess [--outputs FILE] [--prefix P] [--include-failed] [--all]
                                [--concurrency N] [--dry-run] [--checkpoint-dir DIR]

Picks every original whose row is missing or pending (its event was lost),
whose thumbnails are missing, or whose row differs from what the processor is
configured to make now (after changing PIPELINE_THUMBNAIL_SIZES or
PIPELINE_LIST_SHARDS and provisioning again), and invokes the processor with
an S3 event for it.
Idempotent: a second run finds nothing left to do. Resumable: a checkpoint in
artifacts/reprocess/ lets an interrupted run skip what it already finished.
"""

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from rich.text import Text

from lambdas import records
from lambdas.rows import format_timestamp
from scripts.reliability.clients import make_client
from scripts.results import DEFAULT_OUTPUTS, load_outputs

ROOT = Path(__file__).resolve().parent.parent
CHECKPOINT_DIR = ROOT / "artifacts" / "reprocess"
BATCH_GET_LIMIT = 100
CHECKPOINT_EVERY = 25
UNPROCESSED_RETRIES = 5
# Stands in for the sequencer of an event that never arrived: any real event wins over it.
LOWEST_SEQUENCER = "0"
DEFAULT_SIZES = "200"
DEFAULT_SHARDS = "4"


class ReprocessError(RuntimeError):
    """The processor failed on an object it was asked to reprocess."""


@dataclass(frozen=True)
class Original:
    """One object in the uploads bucket."""

    key: str
    byte_size: int
    last_modified: datetime


@dataclass(frozen=True)
class Options:
    """What to reprocess: which originals, and which rows count as up to date."""

    prefix: str = ""
    include_failed: bool = False
    force: bool = False
    dry_run: bool = False
    concurrency: int = 2


@dataclass
class Summary:
    """How many originals were chosen, per reason, and how their reprocessing went."""

    examined: int = 0
    up_to_date: int = 0
    done_earlier: int = 0
    chosen: dict[str, int] = field(default_factory=dict)
    reprocessed: int = 0
    errors: list[str] = field(default_factory=list)


class Checkpoint:
    """The keys a run has finished, kept on disk until the run completes without errors."""

    def __init__(self, path: Path, fingerprint: Mapping[str, Any]) -> None:
        self.path = path
        self.fingerprint = dict(fingerprint)
        self.done: set[str] = set()
        if path.exists():
            saved = json.loads(path.read_text())
            if saved.get("fingerprint") == self.fingerprint:
                self.done = set(saved.get("done", []))

    def mark(self, key: str) -> None:
        """Record `key` as finished, saving every CHECKPOINT_EVERY keys."""
        self.done.add(key)
        if len(self.done) % CHECKPOINT_EVERY == 0:
            self.save()

    def save(self) -> None:
        """Write the checkpoint atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        document = {"fingerprint": self.fingerprint, "done": sorted(self.done)}
        partial.write_text(json.dumps(document))
        partial.replace(self.path)

    def clear(self) -> None:
        """Forget the checkpoint: the run completed."""
        self.path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Deployed:
    """What the deployed processor makes of an original now: thumbnail sizes and listing shards."""

    sizes: tuple[int, ...]
    list_shards: int


def read_deployed(lambda_client: Any, function_name: str) -> Deployed:
    """Read the processor's PIPELINE_THUMBNAIL_SIZES and PIPELINE_LIST_SHARDS."""
    configuration = lambda_client.get_function_configuration(FunctionName=function_name)
    variables = configuration.get("Environment", {}).get("Variables", {})
    raw_sizes = variables.get("PIPELINE_THUMBNAIL_SIZES", DEFAULT_SIZES)
    sizes = tuple(dict.fromkeys(int(size) for size in raw_sizes.split(",") if size.strip()))
    return Deployed(sizes, int(variables.get("PIPELINE_LIST_SHARDS", DEFAULT_SHARDS)))


def list_originals(s3: Any, bucket_name: str, prefix: str = "") -> Iterator[Original]:
    """List the originals under `prefix`, leaving out empty `folder/` placeholders."""
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket_name, Prefix=prefix):
        for item in page.get("Contents", []):
            if item["Key"].endswith("/") and not item["Size"]:
                continue
            yield Original(item["Key"], int(item["Size"]), item["LastModified"])


def read_rows(
    dynamodb: Any, table_name: str, image_ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Read the rows of `image_ids` (consistently), 100 per request; absent ids are left out."""
    deserializer = TypeDeserializer()
    rows: dict[str, dict[str, Any]] = {}
    unique = list(dict.fromkeys(image_ids))
    for start in range(0, len(unique), BATCH_GET_LIMIT):
        keys = [
            {"image_id": {"S": image_id}} for image_id in unique[start : start + BATCH_GET_LIMIT]
        ]
        request = {table_name: {"Keys": keys, "ConsistentRead": True}}
        for _ in range(UNPROCESSED_RETRIES):
            answer = dynamodb.batch_get_item(RequestItems=request)
            for item in answer.get("Responses", {}).get(table_name, []):
                row = {name: deserializer.deserialize(value) for name, value in item.items()}
                rows[row["image_id"]] = row
            request = answer.get("UnprocessedKeys") or {}
            if not request:
                break
    return rows


def choose_reason(
    row: Mapping[str, Any] | None,
    deployed: Deployed,
    has_thumbnail: Callable[[str], bool],
    options: Options,
) -> str | None:
    """Say why an original needs reprocessing, or None when its row is up to date."""
    if row is None:
        return "no row"
    status = row.get("status")
    if status == "pending":
        return "pending"
    if options.force:
        return "forced"
    if not _is_in_listing_shard(row, deployed.list_shards):
        return "listing shard changed"
    if status == "failed":
        return "failed before" if options.include_failed else None

    stored_sizes = tuple(int(rendition["max_edge"]) for rendition in row.get("renditions", []))
    if sorted(stored_sizes) != sorted(deployed.sizes):
        return "sizes changed"
    if not all(has_thumbnail(rendition["key"]) for rendition in row.get("renditions", [])):
        return "thumbnail missing"
    return None


def _is_in_listing_shard(row: Mapping[str, Any], shard_count: int) -> bool:
    """Tell whether the row sits in the index shard that `shard_count` shards give its id."""
    image_id, uploaded_at = str(row["image_id"]), str(row.get("uploaded_at", ""))
    list_shard, _ = records.make_listing_keys(image_id, uploaded_at, shard_count)
    return row.get("list_shard") == list_shard


def make_event(
    bucket_name: str, region: str, original: Original, row: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Build the S3 ObjectCreated notification the processor receives for `original`.

    A row keeps its place in the listing (its uploaded_at) and its sequencer;
    an original without a row gets the lowest sequencer, so that the real
    event, should it still arrive, wins.
    """
    event_time = (row or {}).get("uploaded_at") or format_timestamp(original.last_modified)
    sequencer = (row or {}).get("sequencer") or LOWEST_SEQUENCER
    s3_object = {"key": quote_plus(original.key, safe="/"), "size": original.byte_size}
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": region,
                "eventTime": event_time,
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": bucket_name, "arn": f"arn:aws:s3:::{bucket_name}"},
                    "object": {**s3_object, "sequencer": sequencer},
                },
            }
        ]
    }


def reopen_row(dynamodb: Any, table_name: str, row: Mapping[str, Any]) -> bool:
    """Lower the row's sequencer by one, so that replaying its own event may overwrite it.

    The processor writes a row only for a newer sequencer; a real newer event
    is still newer than the replayed one. Returns False when the row changed
    since it was read (a newer event won meanwhile: nothing to do).
    """
    stored = row.get("sequencer")
    if not stored:
        return True
    values = {":stored": {"S": stored}}
    if int(stored, 16) == 0:
        # Nothing is lower than zero: without a sequencer any event may write.
        update = "REMOVE sequencer"
    else:
        update = "SET sequencer = :lowered"
        values[":lowered"] = {"S": f"{int(stored, 16) - 1:0{records.SEQUENCER_WIDTH}X}"}
    try:
        dynamodb.update_item(
            TableName=table_name,
            Key={"image_id": {"S": row["image_id"]}},
            UpdateExpression=update,
            ConditionExpression="sequencer = :stored",
            ExpressionAttributeValues=values,
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True


def invoke_processor(lambda_client: Any, function_name: str, event: Mapping[str, Any]) -> None:
    """Invoke the processor synchronously; raise ReprocessError when the function failed."""
    answer = lambda_client.invoke(
        FunctionName=function_name,
        InvocationType="RequestResponse",
        Payload=json.dumps(event).encode(),
    )
    payload = answer["Payload"].read()
    if answer.get("FunctionError"):
        message = json.loads(payload or b"{}").get("errorMessage", "unknown error")
        raise ReprocessError(str(message)[:200])


@dataclass(frozen=True)
class _Job:
    original: Original
    row: dict[str, Any] | None


class Reprocessor:
    """Plans and runs one reprocessing pass over a deployed pipeline."""

    def __init__(
        self, outputs: Mapping[str, Any], options: Options, clients: Mapping[str, Any] | None = None
    ) -> None:
        clients = clients or {}
        self.outputs = outputs
        self.options = options
        self.s3 = clients.get("s3") or make_client(outputs, "s3")
        self.dynamodb = clients.get("dynamodb") or make_client(outputs, "dynamodb")
        self.lambda_client = clients.get("lambda") or make_client(outputs, "lambda")
        self.summary = Summary()

    def plan(self, checkpoint: Checkpoint, deployed: Deployed) -> list[_Job]:
        """List the originals that need reprocessing, counting the others."""
        bucket = self.outputs["uploads_bucket"]
        originals = list(list_originals(self.s3, bucket, self.options.prefix))
        ids = [records.make_image_id(bucket, original.key) for original in originals]
        rows = read_rows(self.dynamodb, self.outputs["table_name"], ids)

        jobs = []
        for original, image_id in zip(originals, ids, strict=True):
            self.summary.examined += 1
            if original.key in checkpoint.done:
                self.summary.done_earlier += 1
                continue
            row = rows.get(image_id)
            reason = choose_reason(row, deployed, self._has_thumbnail, self.options)
            if reason is None:
                self.summary.up_to_date += 1
                continue
            self.summary.chosen[reason] = self.summary.chosen.get(reason, 0) + 1
            jobs.append(_Job(original, row))
        return jobs

    def _has_thumbnail(self, key: str) -> bool:
        try:
            self.s3.head_object(Bucket=self.outputs["thumbnails_bucket"], Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def run_job(self, job: _Job) -> None:
        """Reopen the row (if any) and replay the object's creation event."""
        if job.row is not None and not reopen_row(
            self.dynamodb, self.outputs["table_name"], job.row
        ):
            return
        event = make_event(
            self.outputs["uploads_bucket"], self.outputs["region"], job.original, job.row
        )
        invoke_processor(self.lambda_client, self.outputs["processor_function"], event)


def reprocess(
    outputs: Mapping[str, Any],
    options: Options,
    console: Console,
    clients: Mapping[str, Any] | None = None,
    checkpoint_dir: Path = CHECKPOINT_DIR,
) -> Summary:
    """Plan, then reprocess what needs it with `options.concurrency` invocations at a time."""
    reprocessor = Reprocessor(outputs, options, clients)
    deployed = read_deployed(reprocessor.lambda_client, outputs["processor_function"])
    fingerprint = {
        "sizes": list(deployed.sizes),
        "list_shards": deployed.list_shards,
        "prefix": options.prefix,
        "include_failed": options.include_failed,
        "force": options.force,
    }
    checkpoint = Checkpoint(checkpoint_dir / f"{outputs['uploads_bucket']}.json", fingerprint)

    jobs = reprocessor.plan(checkpoint, deployed)
    summary = reprocessor.summary
    if options.dry_run or not jobs:
        return summary

    with (
        Progress(console=console, transient=True) as progress,
        ThreadPoolExecutor(options.concurrency) as pool,
    ):
        task = progress.add_task("reprocessing", total=len(jobs))
        futures = {pool.submit(reprocessor.run_job, job): job for job in jobs}
        for future, job in futures.items():
            try:
                future.result()
            except (ReprocessError, ClientError) as exc:
                summary.errors.append(f"{job.original.key}: {exc}")
            else:
                summary.reprocessed += 1
                checkpoint.mark(job.original.key)
            progress.advance(task)

    if summary.errors:
        checkpoint.save()
    else:
        checkpoint.clear()
    return summary


def build_table(summary: Summary) -> Table:
    """Lay out the reasons originals were chosen and the closing counts."""
    table = Table(title=f"{summary.examined} originals examined", title_justify="left")
    table.add_column("originals")
    table.add_column("count", justify="right")
    for reason, count in sorted(summary.chosen.items()):
        table.add_row(f"chosen: {reason}", str(count))
    table.add_row("up to date", str(summary.up_to_date))
    table.add_row("done in an earlier run", str(summary.done_earlier))
    table.add_row("reprocessed", str(summary.reprocessed))
    table.add_row("errors", str(len(summary.errors)), style="red" if summary.errors else "")
    return table


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    """Run the command line; return the process exit code."""
    args = _parse_args(argv)
    console = console or Console()
    try:
        outputs = load_outputs(args.outputs)
    except (OSError, ValueError, KeyError) as exc:
        console.print(f"cannot read the outputs file {args.outputs}: {exc}")
        return 1

    options = Options(args.prefix, args.include_failed, args.all, args.dry_run, args.concurrency)
    summary = reprocess(outputs, options, console, checkpoint_dir=args.checkpoint_dir)
    console.print(build_table(summary))
    for error in summary.errors[:20]:
        console.print(Text.assemble(("error ", "red"), error))
    return 1 if summary.errors else 0


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("PIPELINE_OUTPUTS_FILE") or DEFAULT_OUTPUTS
    parser.add_argument("--outputs", type=Path, default=Path(default), help="outputs file")
    parser.add_argument("--prefix", default="", help="only originals whose key starts so")
    parser.add_argument("--include-failed", action="store_true", help="also retry failed rows")
    parser.add_argument("--all", action="store_true", help="reprocess every original")
    parser.add_argument("--dry-run", action="store_true", help="only count what would be done")
    parser.add_argument("--concurrency", type=int, default=2, help="invocations at a time")
    parser.add_argument(
        "--checkpoint-dir", type=Path, default=CHECKPOINT_DIR, help="where the checkpoint lives"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
