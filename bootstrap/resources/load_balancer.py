"""The optional Application Load Balancer in front of the gallery's ECS service.

An internet-facing ALB on port 80 in the default VPC's public subnets, with a
target group of the gallery tasks' IPs checked on the gallery's health route.
"""

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.reconcile import Change, Context, error_code, retry
from bootstrap.resources.network import require_default_network

HTTP_PORT = 80


@dataclass
class TargetGroup:
    """The ALB's target group: the gallery tasks by IP, checked on the gallery's health route."""

    name: str
    port: int
    health_path: str
    kind: str = "target group"

    def _health_check(self) -> dict[str, Any]:
        return {
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPath": self.health_path,
            "HealthCheckIntervalSeconds": 30,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 3,
            "Matcher": {"HttpCode": "200"},
        }

    def _find(self, ctx: Context) -> dict[str, Any] | None:
        try:
            groups = ctx.aws.client("elbv2").describe_target_groups(Names=[self.name])
        except ClientError as exc:
            if error_code(exc) in ("TargetGroupNotFound", "TargetGroupNotFoundException"):
                return None
            raise
        return next(iter(groups["TargetGroups"]), None)

    def plan(self, ctx: Context) -> Change:
        group = self._find(ctx)
        if group is None:
            return Change("create")

        ctx.values[f"target_group_arn:{self.name}"] = group["TargetGroupArn"]
        differing = tuple(
            key for key, value in self._health_check().items() if group.get(key) != value
        )
        return Change("update", differing) if differing else Change("unchanged")

    def apply(self, ctx: Context, change: Change) -> None:
        elbv2 = ctx.aws.client("elbv2")
        if change.action == "update":
            elbv2.modify_target_group(
                TargetGroupArn=ctx.values[f"target_group_arn:{self.name}"], **self._health_check()
            )
            return

        created = elbv2.create_target_group(
            Name=self.name,
            Protocol="HTTP",
            Port=self.port,
            VpcId=require_default_network(ctx).vpc_id,
            TargetType="ip",
            Tags=[{"Key": k, "Value": v} for k, v in ctx.settings.tags.items()],
            **self._health_check(),
        )
        arn = created["TargetGroups"][0]["TargetGroupArn"]
        ctx.values[f"target_group_arn:{self.name}"] = arn
        # A stopping task drains for 5 minutes by default; the gallery needs seconds.
        elbv2.modify_target_group_attributes(
            TargetGroupArn=arn,
            Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}],
        )

    def delete(self, ctx: Context) -> bool:
        group = self._find(ctx)
        if group is None:
            return False
        arn = group["TargetGroupArn"]
        retry(
            lambda: ctx.aws.client("elbv2").delete_target_group(TargetGroupArn=arn),
            ctx,
            ("ResourceInUse",),
        )
        return True


@dataclass
class LoadBalancer:
    """An internet-facing Application Load Balancer in the default VPC's public subnets."""

    name: str
    security_group: str
    kind: str = "load balancer"

    def find(self, ctx: Context) -> dict[str, Any] | None:
        """Return the load balancer as DescribeLoadBalancers has it, or None."""
        try:
            found = ctx.aws.client("elbv2").describe_load_balancers(Names=[self.name])
        except ClientError as exc:
            if error_code(exc) in ("LoadBalancerNotFound", "LoadBalancerNotFoundException"):
                return None
            raise
        return next(iter(found["LoadBalancers"]), None)

    def _remember(self, ctx: Context, balancer: dict[str, Any]) -> None:
        ctx.values[f"load_balancer_arn:{self.name}"] = balancer["LoadBalancerArn"]
        ctx.values["gallery_url"] = f"http://{balancer['DNSName']}"

    def plan(self, ctx: Context) -> Change:
        balancer = self.find(ctx)
        if balancer is None:
            return Change("create")

        self._remember(ctx, balancer)
        group_id = ctx.values.get(f"security_group:{self.security_group}")
        if sorted(balancer.get("SecurityGroups", [])) != [group_id]:
            return Change("update", ("security groups",))
        return Change("unchanged")

    def apply(self, ctx: Context, change: Change) -> None:
        elbv2 = ctx.aws.client("elbv2")
        group_id = ctx.values[f"security_group:{self.security_group}"]
        if change.action == "update":
            elbv2.set_security_groups(
                LoadBalancerArn=ctx.values[f"load_balancer_arn:{self.name}"],
                SecurityGroups=[group_id],
            )
            return

        created = elbv2.create_load_balancer(
            Name=self.name,
            Subnets=list(require_default_network(ctx).load_balancer_subnet_ids),
            SecurityGroups=[group_id],
            Scheme="internet-facing",
            Type="application",
            IpAddressType="ipv4",
            Tags=[{"Key": k, "Value": v} for k, v in ctx.settings.tags.items()],
        )
        self._remember(ctx, created["LoadBalancers"][0])

    def delete(self, ctx: Context) -> bool:
        balancer = self.find(ctx)
        if balancer is None:
            return False
        elbv2 = ctx.aws.client("elbv2")
        elbv2.delete_load_balancer(LoadBalancerArn=balancer["LoadBalancerArn"])
        elbv2.get_waiter("load_balancers_deleted").wait(
            LoadBalancerArns=[balancer["LoadBalancerArn"]]
        )
        return True


@dataclass
class Listener:
    """The load balancer's HTTP listener on port 80, forwarding to the target group."""

    load_balancer: LoadBalancer
    target_group: str
    kind: str = "listener"

    @property
    def name(self) -> str:
        return f"{self.load_balancer.name}:{HTTP_PORT}"

    def _find(self, ctx: Context) -> dict[str, Any] | None:
        balancer = self.load_balancer.find(ctx)
        if balancer is None:
            return None
        listeners = ctx.aws.client("elbv2").describe_listeners(
            LoadBalancerArn=balancer["LoadBalancerArn"]
        )["Listeners"]
        return next((item for item in listeners if item["Port"] == HTTP_PORT), None)

    def _actions(self, ctx: Context) -> list[dict[str, str]]:
        target_group_arn = ctx.values.get(f"target_group_arn:{self.target_group}", "(new)")
        return [{"Type": "forward", "TargetGroupArn": target_group_arn}]

    def plan(self, ctx: Context) -> Change:
        listener = self._find(ctx)
        if listener is None:
            return Change("create")

        ctx.values[f"listener_arn:{self.name}"] = listener["ListenerArn"]
        current = [
            {"Type": a.get("Type"), "TargetGroupArn": a.get("TargetGroupArn")}
            for a in listener.get("DefaultActions", [])
        ]
        return (
            Change("unchanged") if current == self._actions(ctx) else Change("update", ("action",))
        )

    def apply(self, ctx: Context, change: Change) -> None:
        elbv2 = ctx.aws.client("elbv2")
        if change.action == "update":
            elbv2.modify_listener(
                ListenerArn=ctx.values[f"listener_arn:{self.name}"],
                DefaultActions=self._actions(ctx),
            )
            return
        elbv2.create_listener(
            LoadBalancerArn=ctx.values[f"load_balancer_arn:{self.load_balancer.name}"],
            Protocol="HTTP",
            Port=HTTP_PORT,
            DefaultActions=self._actions(ctx),
            Tags=[{"Key": k, "Value": v} for k, v in ctx.settings.tags.items()],
        )

    def delete(self, ctx: Context) -> bool:
        listener = self._find(ctx)
        if listener is None:
            return False
        ctx.aws.client("elbv2").delete_listener(ListenerArn=listener["ListenerArn"])
        return True
