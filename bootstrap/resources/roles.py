"""IAM: an execution role with a trust policy and one least-privilege inline policy.

Each function gets one (trusted by Lambda); the gallery's ECS tasks get one
(trusted by ECS, to pull the image and write logs).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from bootstrap.policies import PolicyDocument
from bootstrap.reconcile import Change, Context, error_code

INLINE_POLICY_NAME = "least-privilege"


def _as_document(value: str | dict[str, Any]) -> PolicyDocument:
    # IAM returns documents URL-encoded as strings; some SDK layers decode them.
    return value if isinstance(value, dict) else json.loads(unquote(value))


@dataclass
class Role:
    """One role; its ARN is recorded in `ctx.values[f"role:{name}"]` for those who use it."""

    name: str
    make_trust: Callable[[Context], PolicyDocument]
    make_policy: Callable[[Context], PolicyDocument]
    description: str
    kind: str = "IAM role"

    def arn(self, ctx: Context) -> str:
        return f"arn:aws:iam::{ctx.account_id}:role/{self.name}"

    def plan(self, ctx: Context) -> Change:
        iam = ctx.aws.client("iam")
        ctx.values[f"role:{self.name}"] = self.arn(ctx)
        try:
            role = iam.get_role(RoleName=self.name)["Role"]
        except ClientError as exc:
            if error_code(exc) == "NoSuchEntity":
                return Change("create")
            raise

        details = []
        if _as_document(role["AssumeRolePolicyDocument"]) != self.make_trust(ctx):
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
        trust = json.dumps(self.make_trust(ctx))
        if change.action == "create":
            iam.create_role(
                RoleName=self.name,
                AssumeRolePolicyDocument=trust,
                Description=self.description,
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
