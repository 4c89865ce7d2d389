"""CloudWatch Logs: log groups made up front, so they have a retention and are torn down."""

from dataclasses import dataclass
from typing import Any

from bootstrap.reconcile import Change, Context

LOG_RETENTION_DAYS = 14


@dataclass
class LogGroup:
    """One log group (a function's `/aws/lambda/<name>`, or the gallery's)."""

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
