"""DynamoDB: the image_metadata table, its newest-first index and its TTL."""

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.reconcile import Change, Context, error_code
from lambdas.records import LISTING_INDEX

TTL_ATTRIBUTE = "expires_at"


def _listing_index() -> dict[str, Any]:
    return {
        "IndexName": LISTING_INDEX,
        "KeySchema": [
            {"AttributeName": "list_shard", "KeyType": "HASH"},
            {"AttributeName": "list_sort", "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


_ATTRIBUTES = [
    {"AttributeName": "image_id", "AttributeType": "S"},
    {"AttributeName": "list_shard", "AttributeType": "S"},
    {"AttributeName": "list_sort", "AttributeType": "S"},
]


@dataclass
class MetadataTable:
    """The table of image rows (on-demand capacity, so nothing to size)."""

    name: str
    kind: str = "DynamoDB table"

    def plan(self, ctx: Context) -> Change:
        dynamodb = ctx.aws.client("dynamodb")
        try:
            table = dynamodb.describe_table(TableName=self.name)["Table"]
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return Change("create")
            raise

        details = []
        index_names = [index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])]
        if LISTING_INDEX not in index_names:
            details.append(f"index {LISTING_INDEX}")
        if not self._has_ttl(ctx):
            details.append("time to live")
        return Change("update", tuple(details)) if details else Change("unchanged")

    def _has_ttl(self, ctx: Context) -> bool:
        ttl = ctx.aws.client("dynamodb").describe_time_to_live(TableName=self.name)
        description = ttl["TimeToLiveDescription"]
        return bool(
            description.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
            and description.get("AttributeName") == TTL_ATTRIBUTE
        )

    def apply(self, ctx: Context, change: Change) -> None:
        dynamodb = ctx.aws.client("dynamodb")
        if change.action == "create":
            dynamodb.create_table(
                TableName=self.name,
                AttributeDefinitions=_ATTRIBUTES,
                KeySchema=[{"AttributeName": "image_id", "KeyType": "HASH"}],
                GlobalSecondaryIndexes=[_listing_index()],
                BillingMode="PAY_PER_REQUEST",
                Tags=[{"Key": k, "Value": v} for k, v in ctx.settings.tags.items()],
            )
            dynamodb.get_waiter("table_exists").wait(TableName=self.name)
        elif f"index {LISTING_INDEX}" in change.details:
            dynamodb.update_table(
                TableName=self.name,
                AttributeDefinitions=_ATTRIBUTES,
                GlobalSecondaryIndexUpdates=[{"Create": _listing_index()}],
            )

        if change.action == "create" or "time to live" in change.details:
            dynamodb.update_time_to_live(
                TableName=self.name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
            )

    def delete(self, ctx: Context) -> bool:
        dynamodb = ctx.aws.client("dynamodb")
        try:
            dynamodb.delete_table(TableName=self.name)
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return False
            raise
        dynamodb.get_waiter("table_not_exists").wait(TableName=self.name)
        return True
