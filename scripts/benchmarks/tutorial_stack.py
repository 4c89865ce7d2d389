"""Deploy the tutorial's processor beside ours: its own buckets, table, function and trigger.

Made the tutorial's way: a direct S3 → Lambda notification on object creation,
the function zipped from tutorial_lambda.py, our layer for Pillow.
"""

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bootstrap.aws import AwsClients
from bootstrap.settings import Settings

SOURCE = Path(__file__).with_name("tutorial_lambda.py")
HANDLER = "lambda_function.lambda_handler"
ACTIVE_WAIT = {"Delay": 1, "MaxAttempts": 60}


@dataclass(frozen=True)
class TutorialNames:
    """Names of the tutorial's resources in a benchmark emulator."""

    uploads_bucket: str = "bench-tutorial-uploads"
    thumbnails_bucket: str = "bench-tutorial-thumbnails"
    table_name: str = "bench_tutorial_image_metadata"
    function_name: str = "bench-tutorial-image-processor"
    role_name: str = "bench-tutorial-image-processor-role"


def build_function_zip(names: TutorialNames) -> bytes:
    """Zip the tutorial's handler as lambda_function.py, with our names in its constants."""
    source = SOURCE.read_text()
    source = source.replace(
        'THUMBNAILS_BUCKET = "sample-thumbnails-bucket"',
        f'THUMBNAILS_BUCKET = "{names.thumbnails_bucket}"',
    )
    source = source.replace('TABLE_NAME = "image_metadata"', f'TABLE_NAME = "{names.table_name}"')

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("lambda_function.py", source)
    return buffer.getvalue()


def _policy(names: TutorialNames, region: str, account_id: str) -> dict[str, Any]:
    # The three actions its code makes. The tutorial attaches full-access
    # managed policies; permissions do not change what is measured.
    table_arn = f"arn:aws:dynamodb:{region}:{account_id}:table/{names.table_name}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": [f"arn:aws:s3:::{names.uploads_bucket}/*"],
            },
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject"],
                "Resource": [f"arn:aws:s3:::{names.thumbnails_bucket}/*"],
            },
            {"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": [table_arn]},
        ],
    }


def _trust_policy() -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _layer_arn(aws: AwsClients, settings: Settings) -> str:
    versions = aws.client("lambda").list_layer_versions(LayerName=settings.layer_name)
    return str(versions["LayerVersions"][0]["LayerVersionArn"])


def deploy(aws: AwsClients, settings: Settings, names: TutorialNames) -> None:
    """Create the tutorial's buckets, table, role, function and notification (ours must exist)."""
    s3, iam, functions = aws.client("s3"), aws.client("iam"), aws.client("lambda")
    for bucket in (names.uploads_bucket, names.thumbnails_bucket):
        s3.create_bucket(Bucket=bucket)
    aws.client("dynamodb").create_table(
        TableName=names.table_name,
        KeySchema=[{"AttributeName": "image_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "image_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    role = iam.create_role(RoleName=names.role_name, AssumeRolePolicyDocument=_trust_policy())
    iam.put_role_policy(
        RoleName=names.role_name,
        PolicyName="tutorial-processor",
        PolicyDocument=json.dumps(_policy(names, settings.region, aws.account_id)),
    )
    functions.create_function(
        FunctionName=names.function_name,
        Runtime=settings.lambda_runtime,
        Handler=HANDLER,
        Role=role["Role"]["Arn"],
        Code={"ZipFile": build_function_zip(names)},
        MemorySize=settings.processor_memory_mb,
        Timeout=settings.processor_timeout_s,
        Layers=[_layer_arn(aws, settings)],
    )
    functions.get_waiter("function_active_v2").wait(
        FunctionName=names.function_name, WaiterConfig=ACTIVE_WAIT
    )
    _connect_notification(aws, names)


def _connect_notification(aws: AwsClients, names: TutorialNames) -> None:
    functions = aws.client("lambda")
    function_arn = functions.get_function(FunctionName=names.function_name)["Configuration"][
        "FunctionArn"
    ]
    functions.add_permission(
        FunctionName=names.function_name,
        StatementId="s3-uploads",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn=f"arn:aws:s3:::{names.uploads_bucket}",
        SourceAccount=aws.account_id,
    )
    aws.client("s3").put_bucket_notification_configuration(
        Bucket=names.uploads_bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {
                    "Id": "trigger-image-processor",
                    "LambdaFunctionArn": function_arn,
                    "Events": ["s3:ObjectCreated:*"],
                }
            ]
        },
    )
