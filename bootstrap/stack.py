"""The whole pipeline as an ordered list of resources: what provision makes and teardown removes."""

from dataclasses import dataclass

from bootstrap.policies import (
    LAMBDA_TRUST,
    api_policy,
    ecs_tasks_trust,
    processor_policy,
    task_execution_policy,
)
from bootstrap.reconcile import Absent, Change, Context, Resource
from bootstrap.resources.containers import (
    GALLERY_PORT,
    HEALTH_PATH,
    Cluster,
    Service,
    TaskDefinition,
    execution_role_name,
)
from bootstrap.resources.function_url import FunctionUrl, public_url_permissions
from bootstrap.resources.functions import (
    DependencyLayer,
    Function,
    InvokePermission,
    QueueTrigger,
)
from bootstrap.resources.http_api import HttpApi, execute_api_source_arn
from bootstrap.resources.load_balancer import HTTP_PORT, Listener, LoadBalancer, TargetGroup
from bootstrap.resources.logs import LogGroup
from bootstrap.resources.network import SecurityGroup
from bootstrap.resources.queues import Queue
from bootstrap.resources.registry import Repository
from bootstrap.resources.roles import Role
from bootstrap.resources.storage import Bucket, UploadNotification, upload_cors_rules
from bootstrap.resources.table import MetadataTable
from bootstrap.settings import Settings, function_environment, gallery_log_group

PROCESSOR_HANDLER = "lambdas.processor.handler"
API_HANDLER = "lambdas.api.handler"
API_MEMORY_MB = 512
API_TIMEOUT_S = 15
# A security group's description cannot change: one text fits both ways in.
TASKS_GROUP_DESCRIPTION = "Gallery tasks: port 3000 from the internet or the load balancer"


def role_name(function_name: str) -> str:
    """Name the execution role of a function."""
    return f"{function_name}-role"


def pipeline_resources(settings: Settings) -> list[Resource]:
    """List every resource in dependency order.

    The trigger mode not chosen is listed as `Absent`, so switching modes
    removes the other mode's mapping or permission, and teardown removes both.
    The same holds for the dependency layer (absent when the code package
    bundles the dependencies) and for the API's front (HTTP API or function URL).
    """
    processor = settings.processor_function
    api = settings.api_function
    queue_trigger = QueueTrigger(settings.queue_name, processor)
    s3_permission = InvokePermission(
        processor, "s3-uploads", "s3.amazonaws.com", _uploads_bucket_arn
    )
    uses_queue = settings.trigger == "queue"
    layer = DependencyLayer(settings.layer_name)
    bundled = settings.bundle_dependencies

    resources: list[Resource] = [
        Role(
            role_name(processor),
            lambda ctx: LAMBDA_TRUST,
            lambda ctx: processor_policy(ctx.settings, ctx.account_id),
            "Execution role of the image processor",
        ),
        Role(
            role_name(api),
            lambda ctx: LAMBDA_TRUST,
            lambda ctx: api_policy(ctx.settings, ctx.account_id),
            "Execution role of the image API",
        ),
        Bucket(settings.uploads_bucket, cors_rules=upload_cors_rules(settings.allowed_origins)),
        Bucket(settings.thumbnails_bucket, is_public_read=settings.public_thumbnails),
        MetadataTable(settings.table_name),
        Queue(settings.dlq_name, is_dead_letter=True),
        Queue(settings.queue_name),
        *([] if bundled else [layer]),
        LogGroup(f"/aws/lambda/{processor}"),
        LogGroup(f"/aws/lambda/{api}"),
        Function(
            processor,
            PROCESSOR_HANDLER,
            role_name(processor),
            settings.processor_memory_mb,
            settings.processor_timeout_s,
            lambda ctx: function_environment(ctx.settings, "image-processor"),
            bundles_dependencies=bundled,
        ),
        Function(
            api,
            API_HANDLER,
            role_name(api),
            API_MEMORY_MB,
            API_TIMEOUT_S,
            lambda ctx: function_environment(ctx.settings, "image-api"),
            bundles_dependencies=bundled,
        ),
    ]
    if bundled:
        # After the functions, so they have let go of it when it goes.
        resources.append(Absent(layer))
    resources += [
        queue_trigger if uses_queue else Absent(queue_trigger),
        s3_permission if not uses_queue else Absent(s3_permission),
        UploadNotification(settings.uploads_bucket),
        *api_front_resources(settings),
    ]
    resources += gallery_resources(settings)
    return resources


def api_front_resources(settings: Settings) -> list[Resource]:
    """List the API's front: the HTTP API, or the API function's URL; the other one is absent.

    The absent ones come first: reading a resource records its URL in the
    context, and the URL that goes to the outputs must be the present one's.
    """
    api = settings.api_function
    http_api: list[Resource] = [
        HttpApi(settings.api_name, api),
        InvokePermission(api, "http-api", "apigateway.amazonaws.com", execute_api_source_arn),
    ]
    function_url: list[Resource] = [FunctionUrl(api), *public_url_permissions(api)]
    if settings.api_front == "function-url":
        present, absent = function_url, http_api
    else:
        present, absent = http_api, function_url
    return [*(Absent(resource) for resource in reversed(absent)), *present]


def _uploads_bucket_arn(ctx: Context) -> str:
    return f"arn:aws:s3:::{ctx.settings.uploads_bucket}"


@dataclass
class ResourceGroup:
    """Resources that exist together, handled as one: created in order, deleted in reverse.

    Wrapped in `Absent`, a group that must go is deleted in dependency order
    (a service before its cluster, a listener before its load balancer),
    wherever the group stands in the list.
    """

    kind: str
    name: str
    members: list[Resource]

    def plan(self, ctx: Context) -> Change:
        actions = [member.plan(ctx).action for member in self.members]
        return Change("create") if set(actions) == {"create"} else Change("update")

    def apply(self, ctx: Context, change: Change) -> None:
        for member in self.members:
            member_change = member.plan(ctx)
            if member_change.action != "unchanged":
                member.apply(ctx, member_change)

    def delete(self, ctx: Context) -> bool:
        deleted = [member.delete(ctx) for member in reversed(self.members)]
        return any(deleted)


def gallery_resources(settings: Settings) -> list[Resource]:
    """List the gallery's ECS resources; they follow the HTTP API, whose URL the task gets.

    With the gallery off, the aws target lists them as one absent group, so
    turning it off removes them and teardown always does. Locally they are
    left out: LocalStack's community image has no ECS to ask.
    """
    if settings.gallery_on_ecs:
        resources = _gallery_on_ecs(settings, settings.gallery_load_balancer)
        if not settings.gallery_load_balancer:
            # Last, so the service has let go of the load balancer before it goes.
            alb = ResourceGroup("load balancer group", _alb_name(settings), _alb(settings))
            resources.append(Absent(alb))
        return resources
    if settings.target == "aws":
        everything = _gallery_on_ecs(settings, with_load_balancer=True)
        return [Absent(ResourceGroup("ECS gallery", settings.ecs_service, everything))]
    return []


def _gallery_on_ecs(settings: Settings, with_load_balancer: bool) -> list[Resource]:
    service = settings.ecs_service
    tasks_group = f"{service}-tasks"
    resources: list[Resource] = [
        Role(
            execution_role_name(settings),
            lambda ctx: ecs_tasks_trust(ctx.account_id),
            lambda ctx: task_execution_policy(ctx.settings, ctx.account_id),
            "Lets ECS pull the gallery image and write its logs",
        ),
        LogGroup(gallery_log_group(settings)),
        Repository(settings.gallery_repository),
        Cluster(settings.ecs_cluster),
        TaskDefinition(settings.ecs_task_family),
    ]
    if not with_load_balancer:
        resources += [
            SecurityGroup(tasks_group, TASKS_GROUP_DESCRIPTION, GALLERY_PORT),
            Service(service, settings.ecs_cluster, tasks_group),
        ]
        return resources

    alb_group, *load_balancer = _alb(settings)
    resources += [
        alb_group,
        SecurityGroup(
            tasks_group, TASKS_GROUP_DESCRIPTION, GALLERY_PORT, source_group=f"{service}-alb"
        ),
        *load_balancer,
        Service(
            service, settings.ecs_cluster, tasks_group, target_group=_target_group_name(settings)
        ),
    ]
    return resources


def _alb(settings: Settings) -> list[Resource]:
    """List the load balancer's pieces: its security group, target group, itself, its listener."""
    service = settings.ecs_service
    balancer = LoadBalancer(_alb_name(settings), f"{service}-alb")
    return [
        SecurityGroup(
            f"{service}-alb",
            "Gallery load balancer: HTTP from anywhere",
            HTTP_PORT,
            referenced_by=(f"{service}-tasks",),
        ),
        TargetGroup(_target_group_name(settings), GALLERY_PORT, HEALTH_PATH),
        balancer,
        Listener(balancer, _target_group_name(settings)),
    ]


def _elb_name(settings: Settings, suffix: str) -> str:
    # Load balancer and target group names stop at 32 characters and end alphanumeric.
    return f"{settings.ecs_service[: 31 - len(suffix)].rstrip('-')}-{suffix}"


def _alb_name(settings: Settings) -> str:
    return _elb_name(settings, "alb")


def _target_group_name(settings: Settings) -> str:
    return _elb_name(settings, "tg")
