"""What ECS needs to start the gallery's tasks: the task execution role and the log group.

The execution role is ECS's, not the gallery's: it pulls the image and writes
the container's log streams. The gallery gets no task role at all (see
policies.task_execution_policy).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from bootstrap.policies import PolicyDocument, ecs_tasks_trust
from bootstrap.reconcile import Change, Context, error_code

INLINE_POLICY_NAME = "least-privilege"
LOG_RETENTION_DAYS = 14


def _as_document(value: str | dict[str, Any]) -> PolicyDocument:
    # IAM returns documents URL-encoded as strings; boto3 usually decodes them.
    return value if isinstance(value, dict) else json.loads(unquote(value))


@dataclass
class TaskExecutionRole:
    """The role ECS uses to pull the gallery image and ship its logs (not the gallery's own)."""

    name: str
    make_policy: Callable[[Context], PolicyDocument]
    kind: str = "IAM role"

    def plan(self, ctx: Context) -> Change:
        iam = ctx.aws.client("iam")
        ctx.values["execution_role_arn"] = f"arn:aws:iam::{ctx.account_id}:role/{self.name}"
        try:
            role = iam.get_role(RoleName=self.name)["Role"]
        except ClientError as exc:
            if error_code(exc) == "NoSuchEntity":
                return Change("create")
            raise

        details = []
        if _as_document(role["AssumeRolePolicyDocument"]) != ecs_tasks_trust(ctx.account_id):
            details.append("trust policy")
        if self._current_policy(ctx) != self.make_policy(ctx):
            details.append("inline policy")
        return Change("update", tuple(details)) if details else Change("unchanged")

    def _current_policy(self, ctx: Context) -> PolicyDocument | None:
        try:
            policy = ctx.aws.client("iam").get_role_policy(
                RoleName=self.name, PolicyName=INLINE_POLICY_NAME
            )
        except ClientError as exc:
            if error_code(exc) == "NoSuchEntity":
                return None
            raise
        return _as_document(policy["PolicyDocument"])

    def apply(self, ctx: Context, change: Change) -> None:
        iam = ctx.aws.client("iam")
        trust = json.dumps(ecs_tasks_trust(ctx.account_id))
        if change.action == "create":
            iam.create_role(
                RoleName=self.name,
                AssumeRolePolicyDocument=trust,
                Description="Lets ECS pull the gallery image and write its logs",
                Tags=[{"Key": k, "Value": v} for k, v in ctx.settings.tags.items()],
            )
        else:
            iam.update_assume_role_policy(RoleName=self.name, PolicyDocument=trust)
        iam.put_role_policy(
            RoleName=self.name,
            PolicyName=INLINE_POLICY_NAME,
            PolicyDocument=json.dumps(self.make_policy(ctx)),
        )

    def delete(self, ctx: Context) -> bool:
        iam = ctx.aws.client("iam")
        try:
            for policy_name in iam.list_role_policies(RoleName=self.name)["PolicyNames"]:
                iam.delete_role_policy(RoleName=self.name, PolicyName=policy_name)
            iam.delete_role(RoleName=self.name)
        except ClientError as exc:
            if error_code(exc) == "NoSuchEntity":
                return False
            raise
        return True


@dataclass
class ContainerLogGroup:
    """The gallery's log group, made up front so it has a retention and is torn down."""

    name: str
    kind: str = "log group"

    def _find(self, ctx: Context) -> dict[str, Any] | None:
        groups = ctx.aws.client("logs").describe_log_groups(logGroupNamePrefix=self.name)
        return next((g for g in groups["logGroups"] if g["logGroupName"] == self.name), None)

    def plan(self, ctx: Context) -> Change:
        group = self._find(ctx)
        if group is None:
            return Change("create")
        if group.get("retentionInDays") != LOG_RETENTION_DAYS:
            return Change("update", ("retention",))
        return Change("unchanged")

    def apply(self, ctx: Context, change: Change) -> None:
        logs = ctx.aws.client("logs")
        if change.action == "create":
            logs.create_log_group(logGroupName=self.name, tags=ctx.settings.tags)
        logs.put_retention_policy(logGroupName=self.name, retentionInDays=LOG_RETENTION_DAYS)

    def delete(self, ctx: Context) -> bool:
        if self._find(ctx) is None:
            return False
        ctx.aws.client("logs").delete_log_group(logGroupName=self.name)
        return True
