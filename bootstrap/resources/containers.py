"""ECS Fargate: the gallery's cluster, task definition and service.

The tutorial's ECS deployment from code: the gallery image (registry.py) runs
as a Fargate service in the default VPC's public subnets, optionally behind an
Application Load Balancer (network.py), with the API URL that provisioning
hands it.
"""

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.reconcile import Change, Context, error_code, retry
from bootstrap.resources.network import require_default_network
from bootstrap.settings import Settings, gallery_log_group

GALLERY_CONTAINER = "gallery"
GALLERY_PORT = 3000
HEALTH_PATH = "/api/health"
# Seconds a new task may fail load balancer health checks while Next.js starts.
HEALTH_GRACE_S = 60
NEW = "(not created yet)"


def execution_role_name(settings: Settings) -> str:
    """Name the role ECS uses to pull the gallery image and write its logs."""
    return f"{settings.ecs_task_family}-execution-role"


# Node is in the gallery image whatever its base; curl or wget may not be.
HEALTH_COMMAND = (
    f"node -e \"fetch('http://127.0.0.1:{GALLERY_PORT}{HEALTH_PATH}')"
    '.then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"'
)


def _ecs_tags(ctx: Context) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in ctx.settings.tags.items()]


@dataclass
class Cluster:
    """The ECS cluster (Fargate only: no instances to manage)."""

    name: str
    kind: str = "ECS cluster"

    def _is_active(self, ctx: Context) -> bool:
        clusters = ctx.aws.client("ecs").describe_clusters(clusters=[self.name])["clusters"]
        return any(cluster["status"] == "ACTIVE" for cluster in clusters)

    def plan(self, ctx: Context) -> Change:
        return Change("unchanged") if self._is_active(ctx) else Change("create")

    def apply(self, ctx: Context, change: Change) -> None:
        ctx.aws.client("ecs").create_cluster(clusterName=self.name, tags=_ecs_tags(ctx))

    def delete(self, ctx: Context) -> bool:
        if not self._is_active(ctx):
            return False
        # A just-deleted service keeps the cluster busy until its tasks have stopped.
        busy = ("ClusterContainsServicesException", "ClusterContainsTasksException")
        retry(lambda: ctx.aws.client("ecs").delete_cluster(cluster=self.name), ctx, busy)
        return True


def _covers(current: Any, desired: Any) -> bool:
    """Tell whether `current` holds everything `desired` asks for.

    AWS fills in defaults we never set (a container's cpu 0, empty mount
    lists, secretOptions), so a definition is equal when it covers ours.
    """
    if isinstance(desired, dict):
        return isinstance(current, dict) and all(
            _covers(current.get(key), value) for key, value in desired.items()
        )
    if isinstance(desired, list):
        return (
            isinstance(current, list)
            and len(current) == len(desired)
            and all(_covers(c, d) for c, d in zip(current, desired, strict=True))
        )
    return bool(current == desired)


def _revision_of(arn: str, family: str) -> int | None:
    """Return the revision number of a task definition ARN when it belongs to `family`."""
    name, _, revision = arn.rpartition("/")[2].partition(":")
    return int(revision) if name == family and revision.isdigit() else None


@dataclass
class TaskDefinition:
    """The gallery's Fargate task definition; a change registers a new revision.

    Revisions are immutable: a new one is registered only when the latest
    ACTIVE revision differs from what the settings describe.
    """

    family: str
    kind: str = "ECS task definition"

    @property
    def name(self) -> str:
        return self.family

    def desired(self, ctx: Context) -> dict[str, Any]:
        """Describe the task definition the settings ask for (RegisterTaskDefinition's shape)."""
        settings = ctx.settings
        image = f"{ctx.values.get('repository_uri', NEW)}:{settings.gallery_image_tag}"
        return {
            "family": self.family,
            "executionRoleArn": ctx.values.get(f"role:{execution_role_name(ctx.settings)}", NEW),
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": str(settings.ecs_cpu),
            "memory": str(settings.ecs_memory_mb),
            "runtimePlatform": {
                "cpuArchitecture": "ARM64" if settings.gallery_arch == "arm64" else "X86_64",
                "operatingSystemFamily": "LINUX",
            },
            "containerDefinitions": [_gallery_container(ctx, image)],
        }

    def _revisions(self, ctx: Context, status: str) -> list[str]:
        """List this family's revision ARNs with `status`, newest first."""
        paginator = ctx.aws.client("ecs").get_paginator("list_task_definitions")
        pages = paginator.paginate(familyPrefix=self.family, status=status)
        numbered = [
            (revision, arn)
            for page in pages
            for arn in page["taskDefinitionArns"]
            if (revision := _revision_of(arn, self.family)) is not None
        ]
        return [arn for _, arn in sorted(numbered, reverse=True)]

    def plan(self, ctx: Context) -> Change:
        # Describe the newest ACTIVE revision by its ARN: describing by family
        # name alone may answer with a deregistered one on some emulators.
        revisions = self._revisions(ctx, "ACTIVE")
        if not revisions:
            return Change("create")

        current = ctx.aws.client("ecs").describe_task_definition(taskDefinition=revisions[0])
        ctx.values["task_definition_arn"] = revisions[0]
        if _covers(_sorted_environment(current["taskDefinition"]), self.desired(ctx)):
            return Change("unchanged")
        return Change("update", ("new revision",))

    def apply(self, ctx: Context, change: Change) -> None:
        registered = ctx.aws.client("ecs").register_task_definition(
            **self.desired(ctx), tags=_ecs_tags(ctx)
        )
        ctx.values["task_definition_arn"] = registered["taskDefinition"]["taskDefinitionArn"]

    def delete(self, ctx: Context) -> bool:
        ecs = ctx.aws.client("ecs")
        active = self._revisions(ctx, "ACTIVE")
        for arn in active:
            ecs.deregister_task_definition(taskDefinition=arn)

        # Deregistered revisions stay listed as INACTIVE until deleted.
        inactive = self._revisions(ctx, "INACTIVE")
        for start in range(0, len(inactive), 10):
            ecs.delete_task_definitions(taskDefinitions=inactive[start : start + 10])
        return bool(active)


def _gallery_container(ctx: Context, image: str) -> dict[str, Any]:
    settings = ctx.settings
    environment = {
        "GALLERY_API_URL": ctx.values.get("api_url", NEW),
        "PIPELINE_MAX_UPLOAD_BYTES": str(settings.max_upload_bytes),
        # Docker sets HOSTNAME to the container id; Next.js would listen on that alone.
        "HOSTNAME": "0.0.0.0",
        "PORT": str(GALLERY_PORT),
        "NODE_ENV": "production",
        "NEXT_TELEMETRY_DISABLED": "1",
    }
    return {
        "name": GALLERY_CONTAINER,
        "image": image,
        "essential": True,
        "portMappings": [
            {"containerPort": GALLERY_PORT, "hostPort": GALLERY_PORT, "protocol": "tcp"}
        ],
        "environment": [{"name": k, "value": v} for k, v in sorted(environment.items())],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": gallery_log_group(settings),
                "awslogs-region": settings.region,
                "awslogs-stream-prefix": GALLERY_CONTAINER,
            },
        },
        "healthCheck": {
            "command": ["CMD-SHELL", HEALTH_COMMAND],
            "interval": 30,
            "timeout": 5,
            "retries": 3,
            "startPeriod": 20,
        },
    }


def _sorted_environment(definition: dict[str, Any]) -> dict[str, Any]:
    """Order each container's environment by name, as we register it."""
    containers = [
        {**container, "environment": sorted(container.get("environment", []), key=_by_name)}
        for container in definition.get("containerDefinitions", [])
    ]
    return {**definition, "containerDefinitions": containers}


def _by_name(variable: dict[str, str]) -> str:
    return variable["name"]


@dataclass
class Service:
    """The gallery's Fargate service: public IPs in the default VPC, optionally behind the ALB."""

    name: str
    cluster: str
    security_group: str
    target_group: str | None = None
    kind: str = "ECS service"

    def _current(self, ctx: Context) -> dict[str, Any] | None:
        try:
            described = ctx.aws.client("ecs").describe_services(
                cluster=self.cluster, services=[self.name]
            )
        except ClientError as exc:
            if error_code(exc) == "ClusterNotFoundException":
                return None
            raise
        # A deleted service stays visible as INACTIVE for a while: for us it is gone.
        return next((s for s in described["services"] if s["status"] != "INACTIVE"), None)

    def _desired(self, ctx: Context) -> dict[str, Any]:
        network = require_default_network(ctx)
        load_balancers = []
        if self.target_group:
            target_group_arn = ctx.values.get(f"target_group_arn:{self.target_group}", NEW)
            load_balancers.append(
                {
                    "targetGroupArn": target_group_arn,
                    "containerName": GALLERY_CONTAINER,
                    "containerPort": GALLERY_PORT,
                }
            )
        # An ALB forwards only to the zones it is in: tasks go to the same subnets.
        subnets = network.load_balancer_subnet_ids if self.target_group else network.subnet_ids
        # Public subnets without a NAT gateway: a task needs a public IP to pull its image.
        awsvpc = {
            "subnets": list(subnets),
            "securityGroups": [ctx.values.get(f"security_group:{self.security_group}", NEW)],
            "assignPublicIp": "ENABLED",
        }
        return {
            "taskDefinition": ctx.values.get("task_definition_arn", NEW),
            "desiredCount": ctx.settings.ecs_desired_count,
            "networkConfiguration": {"awsvpcConfiguration": awsvpc},
            "loadBalancers": load_balancers,
        }

    def plan(self, ctx: Context) -> Change:
        current = self._current(ctx)
        if current is None:
            return Change("create")

        differing = tuple(
            key
            for key, value in self._desired(ctx).items()
            if _service_value(key, current.get(key)) != _service_value(key, value)
        )
        return Change("update", differing) if differing else Change("unchanged")

    def apply(self, ctx: Context, change: Change) -> None:
        ecs = ctx.aws.client("ecs")
        desired = self._desired(ctx)
        if change.action == "update":
            changed = {key: desired[key] for key in change.details}
            if changed.get("loadBalancers"):
                changed["healthCheckGracePeriodSeconds"] = HEALTH_GRACE_S
            ecs.update_service(cluster=self.cluster, service=self.name, **changed)
            return

        if self.target_group:
            desired["healthCheckGracePeriodSeconds"] = HEALTH_GRACE_S
        # The first service of an account waits for ECS's service-linked role, and a
        # target group for its new listener; both settle within seconds.
        retry(
            lambda: ecs.create_service(
                cluster=self.cluster,
                serviceName=self.name,
                launchType="FARGATE",
                deploymentConfiguration={
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True}
                },
                propagateTags="SERVICE",
                enableECSManagedTags=True,
                tags=_ecs_tags(ctx),
                **desired,
            ),
            ctx,
            ("InvalidParameterException",),
            attempts=6,
            delay_s=5.0,
        )

    def delete(self, ctx: Context) -> bool:
        current = self._current(ctx)
        if current is None:
            return False

        ecs = ctx.aws.client("ecs")
        if current.get("desiredCount", 0) > 0:
            ecs.update_service(cluster=self.cluster, service=self.name, desiredCount=0)
        ecs.delete_service(cluster=self.cluster, service=self.name)
        # The cluster and the security group can go only once the tasks have stopped.
        ecs.get_waiter("services_inactive").wait(cluster=self.cluster, services=[self.name])
        return True


def _service_value(key: str, value: Any) -> Any:
    """Reduce a service attribute to what we set, in a stable order."""
    if key == "networkConfiguration":
        awsvpc = (value or {}).get("awsvpcConfiguration", {})
        return (
            sorted(awsvpc.get("subnets", [])),
            sorted(awsvpc.get("securityGroups", [])),
            awsvpc.get("assignPublicIp", "DISABLED"),
        )
    if key == "loadBalancers":
        return sorted(
            (lb.get("targetGroupArn"), lb.get("containerName"), lb.get("containerPort"))
            for lb in value or []
        )
    return value
