"""S3: the private uploads and thumbnails buckets, their CORS rules and the upload notification."""

import json
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.policies import public_read_policy
from bootstrap.reconcile import Change, Context, error_code

_MISSING_CODES = ("NoSuchBucket", "404", "NotFound")
_NO_CONFIG_CODES = (
    "NoSuchCORSConfiguration",
    "NoSuchPublicAccessBlockConfiguration",
    "NoSuchBucketPolicy",
)

BLOCK_ALL_PUBLIC_ACCESS = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
# The tutorial's opt-in public thumbnails need a public bucket policy; ACLs stay blocked.
ALLOW_PUBLIC_POLICY = {
    **BLOCK_ALL_PUBLIC_ACCESS,
    "BlockPublicPolicy": False,
    "RestrictPublicBuckets": False,
}


def upload_cors_rules(origins: tuple[str, ...]) -> list[dict[str, Any]]:
    """Let the gallery's origins POST presigned uploads and read objects."""
    return [
        {
            "AllowedOrigins": list(origins),
            "AllowedMethods": ["GET", "HEAD", "POST"],
            "AllowedHeaders": ["*"],
            "ExposeHeaders": ["ETag", "Location"],
            "MaxAgeSeconds": 3000,
        }
    ]


def _read_optional(call: Any, **kwargs: Any) -> Any:
    try:
        return call(**kwargs)
    except ClientError as exc:
        if error_code(exc) in _NO_CONFIG_CODES:
            return None
        raise


@dataclass
class Bucket:
    """One private bucket, optionally with CORS rules or public read."""

    name: str
    cors_rules: list[dict[str, Any]] = field(default_factory=list)
    is_public_read: bool = False
    kind: str = "S3 bucket"

    def plan(self, ctx: Context) -> Change:
        s3 = ctx.aws.client("s3")
        try:
            s3.head_bucket(Bucket=self.name)
        except ClientError as exc:
            if error_code(exc) in _MISSING_CODES:
                return Change("create")
            raise

        details = []
        block = _read_optional(s3.get_public_access_block, Bucket=self.name)
        if (block or {}).get("PublicAccessBlockConfiguration") != self._public_access_block():
            details.append("public access block")
        cors = _read_optional(s3.get_bucket_cors, Bucket=self.name)
        if ((cors or {}).get("CORSRules") or []) != self.cors_rules:
            details.append("CORS")
        policy = _read_optional(s3.get_bucket_policy, Bucket=self.name)
        current_policy = json.loads(policy["Policy"]) if policy else None
        if current_policy != self._bucket_policy():
            details.append("bucket policy")
        return Change("update", tuple(details)) if details else Change("unchanged")

    def _public_access_block(self) -> dict[str, bool]:
        return ALLOW_PUBLIC_POLICY if self.is_public_read else BLOCK_ALL_PUBLIC_ACCESS

    def _bucket_policy(self) -> dict[str, Any] | None:
        return public_read_policy(self.name) if self.is_public_read else None

    def apply(self, ctx: Context, change: Change) -> None:
        s3 = ctx.aws.client("s3")
        if change.action == "create":
            self._create(ctx)
        if change.action == "create" or "public access block" in change.details:
            s3.put_public_access_block(
                Bucket=self.name, PublicAccessBlockConfiguration=self._public_access_block()
            )
        if change.action == "create" or "CORS" in change.details:
            self._apply_cors(ctx)
        if change.action == "create" or "bucket policy" in change.details:
            self._apply_policy(ctx)

    def _create(self, ctx: Context) -> None:
        s3 = ctx.aws.client("s3")
        arguments: dict[str, Any] = {"Bucket": self.name}
        # us-east-1 is the one region that refuses an explicit location constraint.
        if ctx.settings.region != "us-east-1":
            arguments["CreateBucketConfiguration"] = {"LocationConstraint": ctx.settings.region}
        s3.create_bucket(**arguments)
        s3.put_bucket_tagging(
            Bucket=self.name,
            Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in ctx.settings.tags.items()]},
        )

    def _apply_cors(self, ctx: Context) -> None:
        s3 = ctx.aws.client("s3")
        if self.cors_rules:
            s3.put_bucket_cors(Bucket=self.name, CORSConfiguration={"CORSRules": self.cors_rules})
        else:
            s3.delete_bucket_cors(Bucket=self.name)

    def _apply_policy(self, ctx: Context) -> None:
        s3 = ctx.aws.client("s3")
        policy = self._bucket_policy()
        if policy:
            s3.put_bucket_policy(Bucket=self.name, Policy=json.dumps(policy))
        else:
            s3.delete_bucket_policy(Bucket=self.name)

    def delete(self, ctx: Context) -> bool:
        s3 = ctx.aws.client("s3")
        try:
            _empty_bucket(s3, self.name)
            s3.delete_bucket(Bucket=self.name)
        except ClientError as exc:
            if error_code(exc) in _MISSING_CODES:
                return False
            raise
        return True


def _empty_bucket(s3: Any, bucket_name: str) -> None:
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket_name):
        entries = page.get("Versions", []) + page.get("DeleteMarkers", [])
        objects = [{"Key": e["Key"], "VersionId": e["VersionId"]} for e in entries]
        if objects:
            s3.delete_objects(Bucket=bucket_name, Delete={"Objects": objects, "Quiet": True})


def _normalise_notifications(configuration: dict[str, Any]) -> dict[str, Any]:
    """Drop ids and empty sections so configurations compare by meaning."""
    normalised: dict[str, Any] = {}
    for section in ("QueueConfigurations", "LambdaFunctionConfigurations"):
        entries = [
            {k: v for k, v in entry.items() if k != "Id"}
            for entry in configuration.get(section, [])
        ]
        for entry in entries:
            entry["Events"] = sorted(entry["Events"])
        if entries:
            normalised[section] = entries
    return normalised


@dataclass
class UploadNotification:
    """The uploads bucket's ObjectCreated / ObjectRemoved notification (queue or function)."""

    bucket_name: str
    kind: str = "S3 notification"

    @property
    def name(self) -> str:
        return self.bucket_name

    def _desired(self, ctx: Context) -> dict[str, Any]:
        events = sorted(["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])
        if ctx.settings.trigger == "queue":
            queue_arn = ctx.arn("sqs", ctx.settings.queue_name)
            return {"QueueConfigurations": [{"QueueArn": queue_arn, "Events": events}]}
        function_arn = ctx.arn("lambda", f"function:{ctx.settings.processor_function}")
        return {
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": function_arn, "Events": events}]
        }

    def plan(self, ctx: Context) -> Change:
        current = ctx.aws.client("s3").get_bucket_notification_configuration(
            Bucket=self.bucket_name
        )
        if _normalise_notifications(current) == self._desired(ctx):
            return Change("unchanged")
        if not _normalise_notifications(current):
            return Change("create", (ctx.settings.trigger,))
        return Change("update", (ctx.settings.trigger,))

    def apply(self, ctx: Context, change: Change) -> None:
        desired = self._desired(ctx)
        for entries in desired.values():
            for entry in entries:
                entry["Id"] = "image-pipeline-uploads"
        ctx.aws.client("s3").put_bucket_notification_configuration(
            Bucket=self.bucket_name, NotificationConfiguration=desired
        )

    def delete(self, ctx: Context) -> bool:
        s3 = ctx.aws.client("s3")
        try:
            current = s3.get_bucket_notification_configuration(Bucket=self.bucket_name)
        except ClientError as exc:
            if error_code(exc) in _MISSING_CODES:
                return False
            raise
        if not _normalise_notifications(current):
            return False
        s3.put_bucket_notification_configuration(
            Bucket=self.bucket_name, NotificationConfiguration={}
        )
        return True
