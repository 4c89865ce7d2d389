"""The whole pipeline as an ordered list of resources: what provision makes and teardown removes."""

from bootstrap.policies import api_policy, processor_policy
from bootstrap.reconcile import Absent, Context, Resource
from bootstrap.resources.functions import (
    DependencyLayer,
    Function,
    InvokePermission,
    LogGroup,
    QueueTrigger,
)
from bootstrap.resources.http_api import HttpApi, execute_api_source_arn
from bootstrap.resources.queues import Queue
from bootstrap.resources.roles import FunctionRole
from bootstrap.resources.storage import Bucket, UploadNotification, upload_cors_rules
from bootstrap.resources.table import MetadataTable
from bootstrap.settings import Settings, function_environment

PROCESSOR_HANDLER = "lambdas.processor.handler"
API_HANDLER = "lambdas.api.handler"
API_MEMORY_MB = 512
API_TIMEOUT_S = 15


def role_name(function_name: str) -> str:
    """Name the execution role of a function."""
    return f"{function_name}-role"


def pipeline_resources(settings: Settings) -> list[Resource]:
    """List every resource in dependency order.

    The trigger mode not chosen is listed as `Absent`, so switching modes
    removes the other mode's mapping or permission, and teardown removes both.
    """
    processor = settings.processor_function
    api = settings.api_function
    queue_trigger = QueueTrigger(settings.queue_name, processor)
    s3_permission = InvokePermission(
        processor, "s3-uploads", "s3.amazonaws.com", _uploads_bucket_arn
    )
    uses_queue = settings.trigger == "queue"

    resources: list[Resource] = [
        FunctionRole(
            role_name(processor), lambda ctx: processor_policy(ctx.settings, ctx.account_id)
        ),
        FunctionRole(role_name(api), lambda ctx: api_policy(ctx.settings, ctx.account_id)),
        Bucket(settings.uploads_bucket, cors_rules=upload_cors_rules(settings.allowed_origins)),
        Bucket(settings.thumbnails_bucket, is_public_read=settings.public_thumbnails),
        MetadataTable(settings.table_name),
        Queue(settings.dlq_name, is_dead_letter=True),
        Queue(settings.queue_name),
        DependencyLayer(settings.layer_name),
        LogGroup(processor),
        LogGroup(api),
        Function(
            processor,
            PROCESSOR_HANDLER,
            role_name(processor),
            settings.processor_memory_mb,
            settings.processor_timeout_s,
            lambda ctx: function_environment(ctx.settings, "image-processor"),
        ),
        Function(
            api,
            API_HANDLER,
            role_name(api),
            API_MEMORY_MB,
            API_TIMEOUT_S,
            lambda ctx: function_environment(ctx.settings, "image-api"),
        ),
    ]
    resources += [
        queue_trigger if uses_queue else Absent(queue_trigger),
        s3_permission if not uses_queue else Absent(s3_permission),
        UploadNotification(settings.uploads_bucket),
        HttpApi(settings.api_name, api),
        InvokePermission(api, "http-api", "apigateway.amazonaws.com", execute_api_source_arn),
    ]
    return resources


def _uploads_bucket_arn(ctx: Context) -> str:
    return f"arn:aws:s3:::{ctx.settings.uploads_bucket}"
