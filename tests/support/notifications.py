"""S3 event notifications rebuilt by hand, and probes of the queue that carries them.

S3 delivers each notification at least once and in no promised order
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
These helpers rebuild a notification from a stored row, so an end-to-end test
can deliver it again, twice or late, straight into the processor's queue, and
tell exactly when the processor has handled it.
"""

import json
from typing import Any
from urllib.parse import quote_plus

from tests.support.rows import wait_for_finished_row, wait_for_new_row
from tests.support.sandbox import Pipeline, wait_for

CREATED_EVENT = "ObjectCreated:Put"
REMOVED_EVENT = "ObjectRemoved:Delete"
QUEUE_COUNTERS = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)


def encode_event_key(key: str) -> str:
    """Encode an object key as S3 writes it into a notification: `+` for space, `%XX` else."""
    return quote_plus(key, safe="/")


def make_notification(
    bucket_name: str,
    key: str,
    event_name: str,
    sequencer: str,
    event_time: str,
    size: int | None = None,
) -> dict[str, Any]:
    """Build an S3 event notification holding one record, as S3 sends it to a queue."""
    s3_object: dict[str, Any] = {"key": encode_event_key(key), "sequencer": sequencer}
    if size is not None:
        s3_object["size"] = size
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "eventTime": event_time,
        "eventName": event_name,
        "s3": {
            "s3SchemaVersion": "1.0",
            "bucket": {"name": bucket_name, "arn": f"arn:aws:s3:::{bucket_name}"},
            "object": s3_object,
        },
    }
    return {"Records": [record]}


def notification_of_row(
    row: dict[str, Any], event_name: str = CREATED_EVENT, sequencer: str | None = None
) -> dict[str, Any]:
    """Rebuild the notification whose processing wrote `row` (or one with another sequencer)."""
    size = int(row["byte_size"]) if event_name == CREATED_EVENT else None
    return make_notification(
        bucket_name=row["bucket"],
        key=row["original_key"],
        event_name=event_name,
        sequencer=sequencer or row["sequencer"],
        event_time=row["uploaded_at"],
        size=size,
    )


def shift_sequencer(sequencer: str, steps: int) -> str:
    """Return the hexadecimal sequencer `steps` places after (or before) `sequencer`."""
    return f"{int(sequencer, 16) + steps:X}"


def send_notification(pipeline: Pipeline, notification: dict[str, Any]) -> None:
    """Deliver a notification to the processor's queue, as S3 would."""
    pipeline.client("sqs").send_message(
        QueueUrl=pipeline.outputs["queue_url"], MessageBody=json.dumps(notification)
    )


def count_messages(pipeline: Pipeline, queue_url: str) -> int:
    """Count a queue's messages: waiting, in flight and delayed."""
    attributes = pipeline.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=list(QUEUE_COUNTERS)
    )["Attributes"]
    return sum(int(attributes[name]) for name in QUEUE_COUNTERS)


def wait_until_drained(pipeline: Pipeline, timeout_s: float = 60) -> None:
    """Wait until the processor's queue holds no message, so every one sent was handled.

    The event source mapping deletes a message only once the processor has
    handled it, so an empty queue means nothing is waiting or in flight.
    """
    queue_url = pipeline.outputs["queue_url"]
    wait_for(
        lambda: True if count_messages(pipeline, queue_url) == 0 else None,
        timeout_s=timeout_s,
        what="the upload queue to drain",
    )


def deliver_and_wait(pipeline: Pipeline, notification: dict[str, Any], barrier_key: str) -> None:
    """Deliver `notification` and return once the processor has handled all of it.

    The same message ends with a newer event for `barrier_key` (an upload that
    already has its row). The processor handles a message's records in order,
    so once the barrier's row shows that event, every record before it was
    handled: an exact signal on any target, where the queue's counters are
    only approximate on AWS.
    """
    barrier = wait_for_finished_row(pipeline, barrier_key)
    newer_sequencer = shift_sequencer(barrier["sequencer"], 1)
    barrier_records = notification_of_row(barrier, sequencer=newer_sequencer)["Records"]

    send_notification(pipeline, {"Records": [*notification["Records"], *barrier_records]})
    wait_for_new_row(pipeline, barrier_key, previous=barrier)
