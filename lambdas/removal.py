"""DELETE /images/{id}: remove an original and let the processor clean up after it.

Deleting the object makes S3 send ObjectRemoved, on which the processor drops
the thumbnails and the row. A pending row whose upload never arrived has no
object to delete, so it is removed here instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table
    from mypy_boto3_s3 import S3Client

# HeadObject answers a missing key with a bare status code, not a named error.
MISSING_OBJECT_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


def has_object(s3: S3Client, bucket_name: str, key: str) -> bool:
    """Tell whether the object exists (needs s3:ListBucket, or S3 answers 403 for missing keys)."""
    try:
        s3.head_object(Bucket=bucket_name, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in MISSING_OBJECT_CODES:
            return False
        raise
    return True


def forget_pending_row(table: Table, image_id: str) -> bool:
    """Delete the row if it is still pending; False when the processor has written it since."""
    try:
        table.delete_item(
            Key={"image_id": image_id},
            ConditionExpression="#status = :pending",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":pending": "pending"},
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True


def remove_image(row: Mapping[str, Any], bucket_name: str, table: Table, s3: S3Client) -> None:
    """Delete the original of `row` from `bucket_name`, or the row itself for an abandoned upload.

    An upload can land between the existence check and the row deletion; the
    processor's row then fails the pending condition and the object is deleted
    as usual, so nothing is left behind either way.
    """
    key = str(row["original_key"])
    is_abandoned = row["status"] == "pending" and not has_object(s3, bucket_name, key)
    if is_abandoned and forget_pending_row(table, str(row["image_id"])):
        return

    s3.delete_object(Bucket=bucket_name, Key=key)
