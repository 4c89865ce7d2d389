"""The gallery on ECS against the emulator's ECR, ECS, EC2 and ELBv2 APIs: made, kept, removed.

The emulator runs no containers here (no Docker engine): its ECS marks tasks
running without starting them, so these tests check the control plane only.
"""

from pathlib import Path
from typing import Any

from rich.console import Console

from bootstrap.aws import AwsClients
from bootstrap.provision import provision
from bootstrap.reconcile import Context, reconcile, teardown
from bootstrap.settings import Settings
from bootstrap.stack import gallery_resources
from tests.support.sandbox import Pipeline, provision_pipeline, settings_for, teardown_pipeline

_PIPELINE_NAMES = {
    "PIPELINE_UPLOADS_BUCKET": "ecs-check-uploads",
    "PIPELINE_THUMBNAILS_BUCKET": "ecs-check-thumbnails",
    "PIPELINE_TABLE_NAME": "ecs_check_metadata",
    "PIPELINE_QUEUE_NAME": "ecs-check-queue",
    "PIPELINE_DLQ_NAME": "ecs-check-dlq",
    "PIPELINE_PROCESSOR_FUNCTION": "ecs-check-processor",
    "PIPELINE_API_FUNCTION": "ecs-check-api",
    "PIPELINE_API_NAME": "ecs-check-api",
    "PIPELINE_LAYER_NAME": "ecs-check-deps",
}


def _gallery_names(prefix: str) -> dict[str, str]:
    return {
        "PIPELINE_GALLERY_ON_ECS": "true",
        "PIPELINE_GALLERY_REPOSITORY": f"{prefix}-app",
        "PIPELINE_ECS_CLUSTER": f"{prefix}-cluster",
        "PIPELINE_ECS_TASK_FAMILY": f"{prefix}-task",
        "PIPELINE_ECS_SERVICE": f"{prefix}-service",
    }


def _settings(pipeline: Pipeline, work_dir: Path, overrides: dict[str, str]) -> Settings:
    """Settings for the run's own target; on AWS, bucket names carry the account id."""
    target = pipeline.settings.target
    if target == "aws":
        overrides = {**overrides, "PIPELINE_NAME_PREFIX": f"{pipeline.aws.account_id}-"}
    return settings_for(
        target,
        pipeline.settings.endpoint_url,
        work_dir,
        overrides=overrides,
        runtime=pipeline.settings.lambda_runtime,
    )


def _gallery_left(aws: AwsClients, settings: Settings) -> dict[str, list[Any]]:
    ecs = aws.client("ecs")
    repositories = [
        r["repositoryName"] for r in aws.client("ecr").describe_repositories()["repositories"]
    ]
    clusters = ecs.describe_clusters(clusters=[settings.ecs_cluster])["clusters"]
    try:
        services = ecs.describe_services(
            cluster=settings.ecs_cluster, services=[settings.ecs_service]
        )["services"]
    except ecs.exceptions.ClusterNotFoundException:
        services = []
    revisions = ecs.list_task_definitions(familyPrefix=settings.ecs_task_family, status="ACTIVE")
    balancers = aws.client("elbv2").describe_load_balancers()["LoadBalancers"]
    return {
        "repositories": [name for name in repositories if name == settings.gallery_repository],
        "clusters": [c["clusterName"] for c in clusters if c["status"] == "ACTIVE"],
        "services": [s["serviceName"] for s in services if s["status"] == "ACTIVE"],
        "task definitions": revisions["taskDefinitionArns"],
        "load balancers": [
            lb["LoadBalancerName"]
            for lb in balancers
            if lb["LoadBalancerName"].startswith(settings.ecs_service[:20])
        ],
    }


def test_gallery_on_ecs_is_provisioned_kept_and_torn_down(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    settings = _settings(pipeline, tmp_path, {**_PIPELINE_NAMES, **_gallery_names("ecs-check")})
    disposable = provision_pipeline(settings)
    made = _gallery_left(disposable.aws, settings)
    service = disposable.client("ecs").describe_services(
        cluster=settings.ecs_cluster, services=[settings.ecs_service]
    )["services"][0]

    outcomes, _ = provision(settings, disposable.aws, Console(quiet=True))
    teardown_pipeline(disposable)

    assert made == {
        "repositories": ["ecs-check-app"],
        "clusters": ["ecs-check-cluster"],
        "services": ["ecs-check-service"],
        "task definitions": [made["task definitions"][0]],
        "load balancers": [],
    }
    assert made["task definitions"][0].endswith(":task-definition/ecs-check-task:1")
    assert service["launchType"] == "FARGATE"
    assert service["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "ENABLED"
    assert [(o.kind, o.name) for o in outcomes if o.action != "unchanged"] == []
    assert _gallery_left(disposable.aws, settings) == {kind: [] for kind in made}


def test_gallery_behind_a_load_balancer_is_made_kept_and_removed(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    settings = _settings(
        pipeline,
        tmp_path,
        {**_gallery_names("alb-check"), "PIPELINE_GALLERY_LOAD_BALANCER": "true"},
    )
    ctx = Context(settings, pipeline.aws, values={"api_url": pipeline.api_url})
    resources = gallery_resources(settings)

    first = reconcile(resources, ctx, Console(quiet=True))
    listeners = pipeline.client("elbv2").describe_listeners(
        LoadBalancerArn=ctx.values["load_balancer_arn:alb-check-service-alb"]
    )["Listeners"]
    second = reconcile(
        resources, Context(settings, pipeline.aws, values=dict(ctx.values)), Console(quiet=True)
    )
    deleted = teardown(resources, Context(settings, pipeline.aws), Console(quiet=True))

    assert {o.action for o in first} == {"create"}
    assert [(listener["Port"], listener["Protocol"]) for listener in listeners] == [(80, "HTTP")]
    assert {o.action for o in second} == {"unchanged"}
    assert len(deleted) == len(resources)
    assert _gallery_left(pipeline.aws, settings) == {
        kind: [] for kind in _gallery_left(pipeline.aws, settings)
    }
