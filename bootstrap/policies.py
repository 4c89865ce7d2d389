"""Least-privilege IAM documents: each function may do exactly what its code does.

Every statement names its actions and the ARNs of our own resources; no
`*FullAccess` policy and no wildcard action anywhere. A test keeps it so.
"""

from typing import Any

from bootstrap.settings import Settings, gallery_log_group
from lambdas.records import LISTING_INDEX

PolicyDocument = dict[str, Any]

LAMBDA_TRUST: PolicyDocument = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _document(*statements: dict[str, Any]) -> PolicyDocument:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(sid: str, actions: list[str], resources: list[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}


def _logs_statement(region: str, account_id: str, function_name: str) -> dict[str, Any]:
    log_group = f"arn:aws:logs:{region}:{account_id}:log-group:/aws/lambda/{function_name}"
    return _allow(
        "WriteOwnLogs",
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        [log_group, f"{log_group}:*"],
    )


def _see_missing_keys(bucket_name: str) -> dict[str, Any]:
    """Let a function tell a missing object from a forbidden one.

    Without s3:ListBucket, S3 answers 403 instead of 404 for a key that does
    not exist, and an object deleted before its event is handled would look
    like an access error and be retried into the dead-letter queue.
    https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_RequestSyntax
    """
    return _allow("SeeMissingKeys", ["s3:ListBucket"], [f"arn:aws:s3:::{bucket_name}"])


def _table_arn(settings: Settings, account_id: str) -> str:
    return f"arn:aws:dynamodb:{settings.region}:{account_id}:table/{settings.table_name}"


def processor_policy(settings: Settings, account_id: str) -> PolicyDocument:
    """Allow the processor to read originals, write thumbnails and rows, and drain its queue."""
    statements = [
        _allow(
            "ReadOriginals",
            ["s3:GetObject"],
            [f"arn:aws:s3:::{settings.uploads_bucket}/*"],
        ),
        _see_missing_keys(settings.uploads_bucket),
        _allow(
            "WriteThumbnails",
            ["s3:PutObject", "s3:DeleteObject"],
            [f"arn:aws:s3:::{settings.thumbnails_bucket}/*"],
        ),
        _allow(
            "WriteRows",
            ["dynamodb:PutItem", "dynamodb:DeleteItem"],
            [_table_arn(settings, account_id)],
        ),
        _logs_statement(settings.region, account_id, settings.processor_function),
    ]
    if settings.trigger == "queue":
        queue_arn = f"arn:aws:sqs:{settings.region}:{account_id}:{settings.queue_name}"
        statements.append(
            _allow(
                "DrainQueue",
                ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                [queue_arn],
            )
        )
    return _document(*statements)


def api_policy(settings: Settings, account_id: str) -> PolicyDocument:
    """Allow the API to list and read rows, announce uploads, sign links and delete originals.

    A presigned URL carries the signer's permissions, so the API holds
    s3:GetObject on both buckets and s3:PutObject under the upload prefix only.
    """
    table_arn = _table_arn(settings, account_id)
    uploads = f"arn:aws:s3:::{settings.uploads_bucket}"
    return _document(
        _allow("QueryListing", ["dynamodb:Query"], [f"{table_arn}/index/{LISTING_INDEX}"]),
        _allow(
            "ReadAndAnnounceRows",
            ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
            [table_arn],
        ),
        _allow(
            "SignDownloads",
            ["s3:GetObject"],
            [f"{uploads}/*", f"arn:aws:s3:::{settings.thumbnails_bucket}/*"],
        ),
        _allow("SignUploads", ["s3:PutObject"], [f"{uploads}/{settings.upload_prefix}*"]),
        _allow("DeleteOriginals", ["s3:DeleteObject"], [f"{uploads}/*"]),
        _see_missing_keys(settings.uploads_bucket),
        _logs_statement(settings.region, account_id, settings.api_function),
    )


def public_read_policy(bucket_name: str) -> PolicyDocument:
    """Let anyone read the objects of `bucket_name` (the tutorial's public thumbnails, opt-in)."""
    return _document(
        {
            "Sid": "PublicReadThumbnails",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["s3:GetObject"],
            "Resource": [f"arn:aws:s3:::{bucket_name}/*"],
        }
    )


def queue_policy(queue_arn: str, bucket_name: str, account_id: str) -> PolicyDocument:
    """Let S3 send notifications of `bucket_name` (and no other bucket) to the queue."""
    return _document(
        {
            "Sid": "AcceptUploadEvents",
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": ["sqs:SendMessage"],
            "Resource": [queue_arn],
            "Condition": {
                "ArnEquals": {"aws:SourceArn": f"arn:aws:s3:::{bucket_name}"},
                "StringEquals": {"aws:SourceAccount": account_id},
            },
        }
    )


def ecs_tasks_trust(account_id: str) -> PolicyDocument:
    """Let ECS tasks of this account (and no other) assume a role."""
    return _document(
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        }
    )


def task_execution_policy(settings: Settings, account_id: str) -> PolicyDocument:
    """Allow ECS to pull the gallery image and write the gallery's log streams, nothing more.

    The gallery itself gets no task role: it calls only the HTTP API over
    HTTPS, so its containers need (and receive) no AWS credentials at all.
    """
    repository_arn = (
        f"arn:aws:ecr:{settings.region}:{account_id}:repository/{settings.gallery_repository}"
    )
    log_group_arn = (
        f"arn:aws:logs:{settings.region}:{account_id}:log-group:{gallery_log_group(settings)}"
    )
    return _document(
        # ecr:GetAuthorizationToken supports no resource-level permissions, so AWS
        # requires "*" here; the token only opens the registry, and pulling an
        # image still needs the repository-scoped actions below. See
        # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html
        _allow("GetRegistryToken", ["ecr:GetAuthorizationToken"], ["*"]),
        _allow(
            "PullGalleryImage",
            ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            [repository_arn],
        ),
        _allow(
            "WriteGalleryLogs",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [f"{log_group_arn}:log-stream:*"],
        ),
    )
