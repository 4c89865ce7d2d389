"""The processor's S3 and DynamoDB calls: read originals, write thumbnails, write or delete rows.

Every AWS call of lambdas/processor.py lives here, with its error codes
translated where the call is made. Clients are passed in, so tests use moto or fakes.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from lambdas import records, renditions

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef
    from mypy_boto3_s3 import S3Client

WriteOutcome = Literal["written", "duplicate", "stale"]

THUMBNAIL_CONTENT_TYPE = "image/jpeg"

# Not `immutable`: a re-uploaded original overwrites its thumbnails under the same key.
THUMBNAIL_CACHE_CONTROL = "public, max-age=86400"

# A row may be replaced or removed only by a newer S3 event for the same object
# (sequencers are padded by records.pad_sequencer so that string order is event order).
NEWER_EVENT_CONDITION = "attribute_not_exists(sequencer) OR sequencer < :sequencer"

MISSING_OBJECT_CODES = ("NoSuchKey", "404", "NotFound")
CONDITION_FAILED_CODE = "ConditionalCheckFailedException"


class ObjectMissingError(Exception):
    """The original is gone (deleted after its event was sent)."""


@dataclass(frozen=True)
class RowDeletion:
    """What deleting a row did, and which thumbnails the deleted row pointed to."""

    outcome: WriteOutcome
    thumbnail_keys: tuple[str, ...]


def read_object(s3: "S3Client", bucket_name: str, key: str, max_bytes: int) -> bytes:
    """Download an original, refusing one larger than `max_bytes` before reading its body.

    Raises ObjectMissingError when the object no longer exists, and
    renditions.TooManyBytesError / EmptyImageError by its stored size.
    """
    try:
        response = s3.get_object(Bucket=bucket_name, Key=key)
    except ClientError as exc:
        if _error_code(exc) in MISSING_OBJECT_CODES:
            raise ObjectMissingError(f"s3://{bucket_name}/{key} no longer exists") from exc
        raise

    body = response["Body"]
    try:
        renditions.check_byte_size(response["ContentLength"], max_bytes)
        return body.read()
    finally:
        body.close()


def ensure_object_exists(s3: "S3Client", bucket_name: str, key: str) -> None:
    """Check that an original still exists without downloading it (HeadObject).

    Raises ObjectMissingError when it does not.
    """
    try:
        s3.head_object(Bucket=bucket_name, Key=key)
    except ClientError as exc:
        if _error_code(exc) in MISSING_OBJECT_CODES:
            raise ObjectMissingError(f"s3://{bucket_name}/{key} no longer exists") from exc
        raise


def write_thumbnail(s3: "S3Client", bucket_name: str, key: str, data: bytes) -> None:
    """Store one JPEG thumbnail with its content type and cache lifetime."""
    s3.put_object(
        Bucket=bucket_name,
        Key=key,
        Body=data,
        ContentType=THUMBNAIL_CONTENT_TYPE,
        CacheControl=THUMBNAIL_CACHE_CONTROL,
    )


def delete_thumbnails(s3: "S3Client", bucket_name: str, keys: Iterable[str]) -> None:
    """Delete thumbnails one by one; deleting a key that does not exist succeeds."""
    for key in keys:
        s3.delete_object(Bucket=bucket_name, Key=key)


def put_row(dynamodb: "DynamoDBClient", table_name: str, row: records.ImageRow) -> WriteOutcome:
    """Write the whole row (dropping a pending row's expires_at) unless a newer event wrote one.

    Returns "written", "duplicate" (this very event was already applied) or
    "stale" (a newer event's row is stored and stays).
    """
    item = {name: _serialise(value) for name, value in row.items()}
    try:
        dynamodb.put_item(
            TableName=table_name,
            Item=item,
            ConditionExpression=NEWER_EVENT_CONDITION,
            ExpressionAttributeValues={":sequencer": {"S": row.get("sequencer", "")}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as exc:
        if _error_code(exc) != CONDITION_FAILED_CODE:
            raise
        stored = _deserialise_item(cast(Mapping[str, Any], exc.response.get("Item", {})))
        return "duplicate" if stored.get("sequencer") == row.get("sequencer") else "stale"
    return "written"


def delete_row(
    dynamodb: "DynamoDBClient", table_name: str, image_id: str, sequencer: str
) -> RowDeletion:
    """Delete the row of `image_id` unless a newer event (by padded `sequencer`) wrote it.

    Deleting a row that does not exist succeeds, so a repeated removal is harmless.
    """
    try:
        response = dynamodb.delete_item(
            TableName=table_name,
            Key={"image_id": {"S": image_id}},
            ConditionExpression=NEWER_EVENT_CONDITION,
            ExpressionAttributeValues={":sequencer": {"S": sequencer}},
            ReturnValues="ALL_OLD",
        )
    except ClientError as exc:
        if _error_code(exc) != CONDITION_FAILED_CODE:
            raise
        return RowDeletion(outcome="stale", thumbnail_keys=())

    old_row = _deserialise_item(response.get("Attributes", {}))
    return RowDeletion(outcome="written", thumbnail_keys=_thumbnail_keys_of(old_row))


def _thumbnail_keys_of(row: Mapping[str, Any]) -> tuple[str, ...]:
    keys = [rendition["key"] for rendition in row.get("renditions", [])]
    if "thumbnail_key" in row:
        keys.append(row["thumbnail_key"])
    return tuple(dict.fromkeys(keys))


def _serialise(value: object) -> "AttributeValueTypeDef":
    return TypeSerializer().serialize(value)


def _deserialise_item(item: Mapping[str, Any]) -> dict[str, Any]:
    deserializer = TypeDeserializer()
    return {name: deserializer.deserialize(value) for name, value in item.items()}


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
