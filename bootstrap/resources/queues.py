"""SQS: the upload-events queue between S3 and the processor, and its dead-letter queue."""

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.policies import queue_policy
from bootstrap.reconcile import Change, Context, error_code

# A dead letter stays two weeks (the maximum) so there is time to inspect and redrive it.
DLQ_RETENTION_S = 14 * 24 * 3600
QUEUE_RETENTION_S = 4 * 24 * 3600


@dataclass
class Queue:
    """One standard queue; the main queue redrives to the dead-letter queue."""

    name: str
    is_dead_letter: bool = False
    kind: str = "SQS queue"

    def _desired(self, ctx: Context) -> dict[str, str]:
        settings = ctx.settings
        if self.is_dead_letter:
            return {"MessageRetentionPeriod": str(DLQ_RETENTION_S)}

        # AWS asks for a visibility timeout of six times the function timeout, so
        # a message is not handed out again while a slow batch still works on it.
        redrive = {
            "deadLetterTargetArn": ctx.arn("sqs", settings.dlq_name),
            "maxReceiveCount": settings.max_receive_count,
        }
        policy = queue_policy(ctx.arn("sqs", self.name), settings.uploads_bucket, ctx.account_id)
        return {
            "MessageRetentionPeriod": str(QUEUE_RETENTION_S),
            "VisibilityTimeout": str(6 * settings.processor_timeout_s),
            "RedrivePolicy": json.dumps(redrive),
            "Policy": json.dumps(policy),
        }

    def _url(self, ctx: Context) -> str | None:
        try:
            return str(ctx.aws.client("sqs").get_queue_url(QueueName=self.name)["QueueUrl"])
        except ClientError as exc:
            if error_code(exc) in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
                return None
            raise

    def plan(self, ctx: Context) -> Change:
        url = self._url(ctx)
        if url is None:
            return Change("create")

        ctx.values[f"queue_url:{self.name}"] = url
        current = ctx.aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])[
            "Attributes"
        ]
        differing = [
            name
            for name, value in self._desired(ctx).items()
            if _comparable(name, current.get(name)) != _comparable(name, value)
        ]
        return Change("update", tuple(differing)) if differing else Change("unchanged")

    def apply(self, ctx: Context, change: Change) -> None:
        sqs = ctx.aws.client("sqs")
        if change.action == "create":
            url = sqs.create_queue(
                QueueName=self.name, Attributes=self._desired(ctx), tags=ctx.settings.tags
            )["QueueUrl"]
            ctx.values[f"queue_url:{self.name}"] = url
        else:
            sqs.set_queue_attributes(
                QueueUrl=ctx.values[f"queue_url:{self.name}"], Attributes=self._desired(ctx)
            )

    def delete(self, ctx: Context) -> bool:
        url = self._url(ctx)
        if url is None:
            return False
        ctx.aws.client("sqs").delete_queue(QueueUrl=url)
        return True


def _comparable(name: str, value: str | None) -> Any:
    if value is not None and name in ("RedrivePolicy", "Policy"):
        parsed = json.loads(value)
        if name == "RedrivePolicy":
            parsed["maxReceiveCount"] = int(parsed["maxReceiveCount"])
        return parsed
    return value
