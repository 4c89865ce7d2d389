"""What the pipeline made of the stress load: rows, thumbnails, listing and queues, counted
against the objects the uploads bucket really holds.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from botocore.exceptions import ClientError

from lambdas import records
from scripts.results import read_rows

FINAL_STATUSES = ("ready", "failed")
PAGE_LIMIT = 100
HTTP_TIMEOUT_S = 60


@dataclass
class Audit:
    """One look at the pipeline; `lost` and friends hold keys so a report can name them.

    `pending_left` counts pending rows of stored objects (their event is still
    due); `abandoned` names pending rows whose upload never arrived: a client
    that lost its POST /uploads answer asks again, and the TTL removes the
    first row. `orphans` are final rows whose original is gone.
    """

    stored: int = 0
    ready: int = 0
    failed: int = 0
    lost: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    missing_thumbnails: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    abandoned: list[str] = field(default_factory=list)
    pending_left: int = 0
    rows: int = 0
    listed: int = 0
    listing_duplicates: int = 0
    queue_visible: int = 0
    queue_in_flight: int = 0
    dlq_depth: int = 0

    @property
    def is_settled(self) -> bool:
        """Return whether every stored object has its final row and no event waits anywhere."""
        return (
            not self.lost
            and not self.missing_thumbnails
            and self.pending_left == 0
            and self.queue_visible == 0
            and self.queue_in_flight == 0
        )


def list_keys(s3: Any, bucket_name: str) -> set[str]:
    """Return every key in the bucket."""
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket_name)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def queue_depth(sqs: Any, queue_url: str) -> tuple[int, int]:
    """Return (visible, in flight) message counts of a queue."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]
    return int(attributes[names[0]]), int(attributes[names[1]])


def take_audit(
    clients: Mapping[str, Any],
    outputs: Mapping[str, Any],
    expected_ready: Mapping[str, bool],
    check_thumbnails: bool = False,
    walk_listing: bool = False,
) -> Audit:
    """Count the stored objects, their rows and the queues.

    `expected_ready` says, per planned key, whether the object must end ready
    (else failed). Thumbnail existence and the API listing are checked only
    when asked, as they cost one request per object or page.
    """
    bucket, thumbnails = outputs["uploads_bucket"], outputs["thumbnails_bucket"]
    stored = list_keys(clients["s3"], bucket)
    rows = {row["image_id"]: row for row in read_rows(clients["dynamodb"], outputs["table_name"])}
    audit = Audit(stored=len(stored), rows=len(rows))

    for key in sorted(stored):
        row = rows.get(records.make_image_id(bucket, key))
        _judge(audit, key, row, expected_ready.get(key))
        if check_thumbnails and _lacks_thumbnails(clients["s3"], thumbnails, row):
            audit.missing_thumbnails.append(key)

    for row in rows.values():
        key, status = str(row.get("original_key")), row.get("status")
        if status == "pending":
            audit.pending_left += key in stored
            if key not in stored:
                audit.abandoned.append(key)
        elif key not in stored:
            audit.orphans.append(key)
    audit.abandoned.sort()
    audit.orphans.sort()
    audit.queue_visible, audit.queue_in_flight = queue_depth(clients["sqs"], outputs["queue_url"])
    audit.dlq_depth = sum(queue_depth(clients["sqs"], outputs["dlq_url"]))
    if walk_listing:
        listed = list_image_ids(outputs["api_url"], max_pages=len(rows) // PAGE_LIMIT + 5)
        audit.listed = len(listed)
        audit.listing_duplicates = sum(count - 1 for count in Counter(listed).values())
    return audit


def _judge(
    audit: Audit, key: str, row: Mapping[str, Any] | None, must_be_ready: bool | None
) -> None:
    status = row.get("status") if row else None
    if status not in FINAL_STATUSES:
        audit.lost.append(key)
        return
    if status == "ready":
        audit.ready += 1
    else:
        audit.failed += 1
    if must_be_ready is None or must_be_ready != (status == "ready"):
        audit.unexpected.append(key)


def _lacks_thumbnails(s3: Any, bucket_name: str, row: Mapping[str, Any] | None) -> bool:
    """Tell whether a ready row points to a thumbnail that is not stored (or to none)."""
    if row is None or row.get("status") != "ready":
        return False
    for rendition in row.get("renditions", []):
        try:
            s3.head_object(Bucket=bucket_name, Key=rendition["key"])
        except ClientError:
            return True
    return not row.get("renditions")


def list_image_ids(api_url: str, max_pages: int, limit: int = PAGE_LIMIT) -> list[str]:
    """Walk GET /images page by page (at most `max_pages`) and return every listed id in order."""
    listed: list[str] = []
    cursor: str | None = None
    for _ in range(max_pages):
        params = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
        answer = requests.get(f"{api_url}/images", params=params, timeout=HTTP_TIMEOUT_S)
        answer.raise_for_status()
        page = answer.json()
        listed.extend(item["image_id"] for item in page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            break
    return listed
