"""Networking for the gallery on ECS: the default VPC and the security groups.

The tutorial runs the task in public subnets with a public IP; we do the
same in the account's default VPC. Tasks let port 3000 in from anywhere, or
from the load balancer's group alone when there is one (load_balancer.py).
"""

from dataclasses import dataclass, field
from typing import Any

from bootstrap.reconcile import Change, Context, ProvisioningError, retry

ANYWHERE = "0.0.0.0/0"
# Released network interfaces of stopped tasks and deleted load balancers keep a
# security group "in use" for a few minutes after the owner is gone.
_RELEASE_ATTEMPTS = 40
_RELEASE_DELAY_S = 15.0


@dataclass(frozen=True)
class DefaultNetwork:
    """The default VPC and its default (public) subnets, one per availability zone."""

    vpc_id: str
    subnet_ids: tuple[str, ...]

    @property
    def load_balancer_subnet_ids(self) -> tuple[str, ...]:
        """Two subnets, the fewest an ALB takes: each zone's public IPv4 address is billed."""
        return self.subnet_ids[:2]


def find_default_network(ctx: Context) -> DefaultNetwork | None:
    """Return the region's default VPC and subnets, or None when the account has none."""
    if "default_network" in ctx.values:
        return ctx.values["default_network"]  # type: ignore[no-any-return]

    ec2 = ctx.aws.client("ec2")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    if not vpcs:
        return None
    vpc_id = vpcs[0]["VpcId"]
    subnets = ec2.describe_subnets(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "default-for-az", "Values": ["true"]},
        ]
    )["Subnets"]
    network = DefaultNetwork(vpc_id, tuple(sorted(s["SubnetId"] for s in subnets)))
    ctx.values["default_network"] = network
    return network


def require_default_network(ctx: Context) -> DefaultNetwork:
    """Return the default VPC and subnets; explain how to make them when they are missing."""
    network = find_default_network(ctx)
    if network is None or not network.subnet_ids:
        raise ProvisioningError(
            f"no default VPC with default subnets in {ctx.settings.region}: create it with "
            "'aws ec2 create-default-vpc' (the gallery's tasks run in its public subnets)"
        )
    return network


def _permission(port: int, source_group_id: str | None) -> dict[str, Any]:
    permission: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
    if source_group_id:
        permission["UserIdGroupPairs"] = [{"GroupId": source_group_id}]
    else:
        permission["IpRanges"] = [{"CidrIp": ANYWHERE}]
    return permission


def _rules(permissions: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """Flatten IpPermissions into comparable (protocol, from, to, source) rules."""
    rules = set()
    for p in permissions:
        ports = (p.get("IpProtocol"), p.get("FromPort"), p.get("ToPort"))
        rules |= {(*ports, r.get("CidrIp")) for r in p.get("IpRanges", [])}
        rules |= {(*ports, r.get("CidrIpv6")) for r in p.get("Ipv6Ranges", [])}
        rules |= {(*ports, g.get("GroupId")) for g in p.get("UserIdGroupPairs", [])}
    return rules


@dataclass
class SecurityGroup:
    """A security group in the default VPC that lets one port in, from anywhere or one group.

    `referenced_by` names our groups whose rules may point at this one: their
    references are revoked first, since AWS refuses to delete a referenced group.
    """

    name: str
    description: str
    port: int
    source_group: str | None = None
    referenced_by: tuple[str, ...] = field(default_factory=tuple)
    kind: str = "security group"

    def _find(self, ctx: Context, name: str) -> dict[str, Any] | None:
        network = find_default_network(ctx)
        if network is None:
            return None
        groups = ctx.aws.client("ec2").describe_security_groups(
            Filters=[
                {"Name": "vpc-id", "Values": [network.vpc_id]},
                {"Name": "group-name", "Values": [name]},
            ]
        )["SecurityGroups"]
        return next((g for g in groups if g["GroupName"] == name), None)

    def _desired(self, ctx: Context) -> dict[str, Any]:
        source_id = None
        if self.source_group:
            source_id = ctx.values.get(f"security_group:{self.source_group}", "(new group)")
        return _permission(self.port, source_id)

    def plan(self, ctx: Context) -> Change:
        group = self._find(ctx, self.name)
        if group is None:
            return Change("create")

        ctx.values[f"security_group:{self.name}"] = group["GroupId"]
        if _rules(group.get("IpPermissions", [])) != _rules([self._desired(ctx)]):
            return Change("update", ("ingress",))
        return Change("unchanged")

    def apply(self, ctx: Context, change: Change) -> None:
        ec2 = ctx.aws.client("ec2")
        if change.action == "create":
            created = ec2.create_security_group(
                GroupName=self.name,
                Description=self.description,
                VpcId=require_default_network(ctx).vpc_id,
                TagSpecifications=[
                    {
                        "ResourceType": "security-group",
                        "Tags": [{"Key": k, "Value": v} for k, v in ctx.settings.tags.items()],
                    }
                ],
            )
            ctx.values[f"security_group:{self.name}"] = created["GroupId"]
        group_id = ctx.values[f"security_group:{self.name}"]

        current = self._find(ctx, self.name) or {}
        if current.get("IpPermissions"):
            ec2.revoke_security_group_ingress(
                GroupId=group_id, IpPermissions=current["IpPermissions"]
            )
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[self._desired(ctx)])

    def delete(self, ctx: Context) -> bool:
        group = self._find(ctx, self.name)
        if group is None:
            return False

        ec2 = ctx.aws.client("ec2")
        self._revoke_references(ctx, group["GroupId"])
        retry(
            lambda: ec2.delete_security_group(GroupId=group["GroupId"]),
            ctx,
            ("DependencyViolation",),
            attempts=_RELEASE_ATTEMPTS,
            delay_s=_RELEASE_DELAY_S,
        )
        return True

    def _revoke_references(self, ctx: Context, group_id: str) -> None:
        for name in self.referenced_by:
            other = self._find(ctx, name)
            if other is None:
                continue
            referencing = [
                p
                for p in other.get("IpPermissions", [])
                if any(g.get("GroupId") == group_id for g in p.get("UserIdGroupPairs", []))
            ]
            if referencing:
                ctx.aws.client("ec2").revoke_security_group_ingress(
                    GroupId=other["GroupId"], IpPermissions=referencing
                )
