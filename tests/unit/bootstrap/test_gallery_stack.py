"""The gallery on ECS reconciles against moto: created once, unchanged after, switched, removed."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws
from rich.console import Console

from bootstrap.aws import AwsClients
from bootstrap.reconcile import Context, reconcile, teardown
from bootstrap.settings import Settings, load_settings
from bootstrap.stack import gallery_resources

API_URL = "https://abc123.execute-api.us-east-1.amazonaws.com"


def _settings(tmp_path: Path, target: str = "local", **overrides: str) -> Settings:
    environ = {
        "AWS_ENDPOINT_URL": "",
        "PIPELINE_OUTPUTS_FILE": str(tmp_path / "outputs.json"),
        "PIPELINE_GALLERY_ARCH": "x86_64",
        **overrides,
    }
    return load_settings(target, environ)  # type: ignore[arg-type]


@pytest.fixture
def aws(tmp_path: Path) -> Iterator[AwsClients]:
    with mock_aws():
        yield AwsClients(_settings(tmp_path))


def _context(settings: Settings, aws: AwsClients) -> Context:
    return Context(settings, aws, values={"api_url": API_URL}, sleep=lambda _: None)


def _reconcile(settings: Settings, aws: AwsClients) -> tuple[dict[str, str], Context]:
    ctx = _context(settings, aws)
    outcomes = reconcile(gallery_resources(settings), ctx, Console(quiet=True))
    return {f"{o.kind} {o.name}": o.action for o in outcomes}, ctx


def _gallery_left(aws: AwsClients) -> dict[str, Any]:
    ecs = aws.client("ecs")
    return {
        "repositories": aws.client("ecr").describe_repositories()["repositories"],
        # A deleted cluster stays listed as INACTIVE for a while, on AWS as in moto.
        "clusters": [
            cluster["clusterName"]
            for cluster in ecs.describe_clusters(clusters=["sample-ecs-cluster"])["clusters"]
            if cluster["status"] == "ACTIVE"
        ],
        "task definitions": ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"],
        "roles": aws.client("iam").list_roles()["Roles"],
        "log groups": aws.client("logs").describe_log_groups()["logGroups"],
        "load balancers": aws.client("elbv2").describe_load_balancers()["LoadBalancers"],
        "target groups": aws.client("elbv2").describe_target_groups()["TargetGroups"],
        "security groups": [
            group["GroupName"]
            for group in aws.client("ec2").describe_security_groups()["SecurityGroups"]
            if group["GroupName"] != "default"
        ],
    }


def test_first_run_creates_everything_and_second_run_changes_nothing(
    tmp_path: Path, aws: AwsClients
) -> None:
    settings = _settings(tmp_path, PIPELINE_GALLERY_ON_ECS="true")

    first, _ = _reconcile(settings, aws)
    second, _ = _reconcile(settings, aws)

    assert first == {
        "IAM role sample-nextjs-task-execution-role": "create",
        "log group /ecs/sample-nextjs-task": "create",
        "ECR repository sample-nextjs-app": "create",
        "ECS cluster sample-ecs-cluster": "create",
        "ECS task definition sample-nextjs-task": "create",
        "security group sample-nextjs-service-tasks": "create",
        "ECS service sample-nextjs-service": "create",
        "load balancer group sample-nextjs-service-alb": "unchanged",
    }
    assert set(second.values()) == {"unchanged"}


def test_service_runs_the_task_with_a_public_ip_in_the_default_subnets(
    tmp_path: Path, aws: AwsClients
) -> None:
    settings = _settings(tmp_path, PIPELINE_GALLERY_ON_ECS="true")
    _, ctx = _reconcile(settings, aws)

    service = aws.client("ecs").describe_services(
        cluster="sample-ecs-cluster", services=["sample-nextjs-service"]
    )["services"][0]

    awsvpc = service["networkConfiguration"]["awsvpcConfiguration"]
    assert service["desiredCount"] == 1
    assert service["launchType"] == "FARGATE"
    assert awsvpc["assignPublicIp"] == "ENABLED"
    assert sorted(awsvpc["subnets"]) == list(ctx.values["default_network"].subnet_ids)
    assert service["taskDefinition"].endswith(":task-definition/sample-nextjs-task:1")


def test_task_definition_carries_the_api_url_logs_and_health_check(
    tmp_path: Path, aws: AwsClients
) -> None:
    settings = _settings(tmp_path, PIPELINE_GALLERY_ON_ECS="true")
    _reconcile(settings, aws)

    definition = aws.client("ecs").describe_task_definition(taskDefinition="sample-nextjs-task")
    container = definition["taskDefinition"]["containerDefinitions"][0]

    assert definition["taskDefinition"]["cpu"] == "256"
    assert definition["taskDefinition"]["memory"] == "512"
    assert definition["taskDefinition"]["requiresCompatibilities"] == ["FARGATE"]
    assert container["image"].endswith(".amazonaws.com/sample-nextjs-app:latest")
    assert {"name": "GALLERY_API_URL", "value": API_URL} in container["environment"]
    assert container["portMappings"][0]["containerPort"] == 3000
    assert container["logConfiguration"]["options"]["awslogs-group"] == "/ecs/sample-nextjs-task"
    assert container["healthCheck"]["command"][0] == "CMD-SHELL"


def test_changed_memory_registers_one_new_revision_and_updates_the_service(
    tmp_path: Path, aws: AwsClients
) -> None:
    _reconcile(_settings(tmp_path, PIPELINE_GALLERY_ON_ECS="true"), aws)
    bigger = _settings(tmp_path, PIPELINE_GALLERY_ON_ECS="true", PIPELINE_ECS_MEMORY_MB="1024")

    actions, _ = _reconcile(bigger, aws)

    changed = {name: action for name, action in actions.items() if action != "unchanged"}
    assert changed == {
        "ECS task definition sample-nextjs-task": "update",
        "ECS service sample-nextjs-service": "update",
    }
    revisions = aws.client("ecs").list_task_definitions(familyPrefix="sample-nextjs-task")
    assert [arn.rsplit(":", 1)[1] for arn in revisions["taskDefinitionArns"]] == ["1", "2"]


def test_load_balancer_can_be_switched_on_and_off(tmp_path: Path, aws: AwsClients) -> None:
    _reconcile(_settings(tmp_path, PIPELINE_GALLERY_ON_ECS="true"), aws)
    with_alb = _settings(
        tmp_path, PIPELINE_GALLERY_ON_ECS="true", PIPELINE_GALLERY_LOAD_BALANCER="true"
    )

    switched_on, ctx = _reconcile(with_alb, aws)
    service = aws.client("ecs").describe_services(
        cluster="sample-ecs-cluster", services=["sample-nextjs-service"]
    )["services"][0]
    switched_off, _ = _reconcile(_settings(tmp_path, PIPELINE_GALLERY_ON_ECS="true"), aws)

    assert switched_on["load balancer sample-nextjs-service-alb"] == "create"
    assert switched_on["security group sample-nextjs-service-tasks"] == "update"
    assert switched_on["ECS service sample-nextjs-service"] == "update"
    assert service["loadBalancers"][0]["containerPort"] == 3000
    assert ctx.values["gallery_url"].startswith("http://sample-nextjs-service-alb")
    assert switched_off["load balancer group sample-nextjs-service-alb"] == "delete"
    assert _gallery_left(aws)["load balancers"] == []
    assert _gallery_left(aws)["security groups"] == ["sample-nextjs-service-tasks"]


def test_tasks_accept_port_3000_only_from_the_load_balancer(
    tmp_path: Path, aws: AwsClients
) -> None:
    settings = _settings(
        tmp_path, PIPELINE_GALLERY_ON_ECS="true", PIPELINE_GALLERY_LOAD_BALANCER="true"
    )
    _, ctx = _reconcile(settings, aws)

    groups = aws.client("ec2").describe_security_groups(
        GroupIds=[ctx.values["security_group:sample-nextjs-service-tasks"]]
    )["SecurityGroups"]

    (permission,) = groups[0]["IpPermissions"]
    assert (permission["FromPort"], permission["ToPort"]) == (3000, 3000)
    assert permission["IpRanges"] == []
    assert [pair["GroupId"] for pair in permission["UserIdGroupPairs"]] == [
        ctx.values["security_group:sample-nextjs-service-alb"]
    ]


@pytest.mark.parametrize("with_alb", ["false", "true"], ids=["public-ip", "load-balancer"])
def test_teardown_removes_every_gallery_resource(
    tmp_path: Path, aws: AwsClients, with_alb: str
) -> None:
    settings = _settings(
        tmp_path, PIPELINE_GALLERY_ON_ECS="true", PIPELINE_GALLERY_LOAD_BALANCER=with_alb
    )
    _reconcile(settings, aws)

    teardown(gallery_resources(settings), _context(settings, aws), Console(quiet=True))

    assert _gallery_left(aws) == {kind: [] for kind in _gallery_left(aws)}


def test_aws_target_removes_the_gallery_when_it_is_switched_off(
    tmp_path: Path, aws: AwsClients
) -> None:
    _reconcile(_settings(tmp_path, "aws", PIPELINE_NAME_PREFIX=""), aws)
    switched_off = _settings(tmp_path, "aws", PIPELINE_GALLERY_ON_ECS="false")

    actions, _ = _reconcile(switched_off, aws)

    assert actions == {"ECS gallery sample-nextjs-service": "delete"}
    assert _gallery_left(aws) == {kind: [] for kind in _gallery_left(aws)}


def test_local_target_leaves_ecs_alone_by_default(tmp_path: Path) -> None:
    assert gallery_resources(_settings(tmp_path)) == []


def test_load_balancer_and_its_tasks_share_two_zones(tmp_path: Path, aws: AwsClients) -> None:
    settings = _settings(
        tmp_path, PIPELINE_GALLERY_ON_ECS="true", PIPELINE_GALLERY_LOAD_BALANCER="true"
    )
    _reconcile(settings, aws)

    balancer = aws.client("elbv2").describe_load_balancers(Names=["sample-nextjs-service-alb"])
    service = aws.client("ecs").describe_services(
        cluster="sample-ecs-cluster", services=["sample-nextjs-service"]
    )["services"][0]

    zones = balancer["LoadBalancers"][0]["AvailabilityZones"]
    task_subnets = service["networkConfiguration"]["awsvpcConfiguration"]["subnets"]
    assert sorted(zone["SubnetId"] for zone in zones) == sorted(task_subnets)
    assert len(task_subnets) == 2


def test_dry_run_plans_every_resource_and_creates_none(tmp_path: Path, aws: AwsClients) -> None:
    settings = _settings(
        tmp_path, PIPELINE_GALLERY_ON_ECS="true", PIPELINE_GALLERY_LOAD_BALANCER="true"
    )

    outcomes = reconcile(
        gallery_resources(settings), _context(settings, aws), Console(quiet=True), dry_run=True
    )

    assert {o.action for o in outcomes} == {"create"}
    assert _gallery_left(aws) == {kind: [] for kind in _gallery_left(aws)}
