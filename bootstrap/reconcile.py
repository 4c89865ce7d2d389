"""The reconcile loop: read what exists, plan the difference, apply it, report a summary.

Each resource knows how to read itself, describe what differs from the
desired state, bring itself to that state and delete itself. Running the
loop twice in a row changes nothing the second time.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

from botocore.exceptions import ClientError
from rich.console import Console
from rich.table import Table

from bootstrap.aws import AwsClients
from bootstrap.settings import Settings

Action = Literal["create", "update", "delete", "unchanged"]
T = TypeVar("T")


class ProvisioningError(RuntimeError):
    """A resource could not be brought to its desired state."""


@dataclass
class Context:
    """What one run knows: settings, clients, and values resources hand on to each other."""

    settings: Settings
    aws: AwsClients
    values: dict[str, Any] = field(default_factory=dict)
    sleep: Callable[[float], None] = time.sleep

    @property
    def account_id(self) -> str:
        return self.aws.account_id

    def arn(self, service: str, resource: str, region: bool = True) -> str:
        """Build the ARN of a resource of ours in this account (and region)."""
        region_part = self.settings.region if region else ""
        return f"arn:aws:{service}:{region_part}:{self.account_id}:{resource}"


@dataclass(frozen=True)
class Change:
    """What a resource needs: its action and the differences behind it."""

    action: Action
    details: tuple[str, ...] = ()


class Resource(Protocol):
    """One resource (or a tightly bound group) that the loop reconciles."""

    @property
    def kind(self) -> str: ...

    @property
    def name(self) -> str: ...

    def plan(self, ctx: Context) -> Change: ...

    def apply(self, ctx: Context, change: Change) -> None: ...

    def delete(self, ctx: Context) -> bool: ...


@dataclass(frozen=True)
class Outcome:
    """The result of reconciling one resource."""

    kind: str
    name: str
    action: Action
    details: tuple[str, ...]


@dataclass
class Absent:
    """Wrap a resource that must not exist in this configuration (the other trigger mode's)."""

    resource: Resource

    @property
    def kind(self) -> str:
        return self.resource.kind

    @property
    def name(self) -> str:
        return self.resource.name

    def plan(self, ctx: Context) -> Change:
        exists = self.resource.plan(ctx).action != "create"
        return Change("delete") if exists else Change("unchanged", (NOT_USED,))

    def apply(self, ctx: Context, change: Change) -> None:
        self.resource.delete(ctx)

    def delete(self, ctx: Context) -> bool:
        return self.resource.delete(ctx)


def error_code(exc: ClientError) -> str:
    """Return the AWS error code of a failed call."""
    return str(exc.response.get("Error", {}).get("Code", ""))


def retry(
    call: Callable[[], T],
    ctx: Context,
    retry_codes: Sequence[str],
    attempts: int = 15,
    delay_s: float = 2.0,
) -> T:
    """Call `call`, retrying on the given error codes while AWS becomes consistent.

    A fresh IAM role, for example, is not assumable by Lambda for a few seconds.
    """
    for attempt in range(attempts):
        try:
            return call()
        except ClientError as exc:
            if error_code(exc) not in retry_codes or attempt == attempts - 1:
                raise
            ctx.sleep(delay_s)
    raise AssertionError("unreachable")


def reconcile(
    resources: Sequence[Resource], ctx: Context, console: Console, dry_run: bool = False
) -> list[Outcome]:
    """Plan and (unless `dry_run`) apply every resource, in order; return the outcomes."""
    outcomes: list[Outcome] = []
    for resource in resources:
        label = f"{resource.kind} {resource.name}"
        with console.status(f"reading {label}"):
            change = _plan(resource, ctx)

        if change.action != "unchanged" and not dry_run:
            with console.status(f"{_PRESENT[change.action]} {label}"):
                _apply(resource, ctx, change)
        if change.action != "unchanged":
            console.print(f"  {change.action:<9} {label}" + _format_details(change.details))

        outcomes.append(Outcome(resource.kind, resource.name, change.action, change.details))
    return outcomes


def _plan(resource: Resource, ctx: Context) -> Change:
    try:
        return resource.plan(ctx)
    except ClientError as exc:
        raise ProvisioningError(f"cannot read {resource.kind} {resource.name}: {exc}") from exc


def _apply(resource: Resource, ctx: Context, change: Change) -> None:
    try:
        resource.apply(ctx, change)
    except ClientError as exc:
        raise ProvisioningError(
            f"cannot {change.action} {resource.kind} {resource.name}: {exc}"
        ) from exc


def _format_details(details: tuple[str, ...]) -> str:
    return f" ({'; '.join(details)})" if details else ""


def summary_table(outcomes: Sequence[Outcome], dry_run: bool) -> Table:
    """Build the closing table: one row per resource and the count per result."""
    verb = {"create": "to create", "update": "to update", "delete": "to delete"} if dry_run else {}
    table = Table(title="plan" if dry_run else "summary")
    table.add_column("resource")
    table.add_column("name")
    table.add_column("result")
    results = [_result(outcome, verb) for outcome in outcomes]
    for outcome, result in zip(outcomes, results, strict=True):
        table.add_row(outcome.kind, outcome.name, result)

    labels = [verb.get(a, _past(a)) for a in _ACTIONS] + [NOT_USED]
    table.caption = ", ".join(f"{results.count(label)} {label}" for label in labels)
    return table


def _result(outcome: Outcome, verb: dict[str, str]) -> str:
    # An absent resource of the mode not chosen is neither made nor kept: say so.
    if outcome.action == "unchanged" and outcome.details == (NOT_USED,):
        return NOT_USED
    return verb.get(outcome.action, _past(outcome.action))


_ACTIONS: tuple[Action, ...] = ("create", "update", "delete", "unchanged")
NOT_USED = "not used"
_PRESENT = {"create": "creating", "update": "updating", "delete": "deleting"}


def _past(action: Action) -> str:
    return {"create": "created", "update": "updated", "delete": "deleted"}.get(action, action)


def teardown(resources: Sequence[Resource], ctx: Context, console: Console) -> list[str]:
    """Delete every resource in reverse order; return the labels of those that existed."""
    deleted: list[str] = []
    for resource in reversed(resources):
        label = f"{resource.kind} {resource.name}"
        with console.status(f"deleting {label}"):
            try:
                existed = resource.delete(ctx)
            except ClientError as exc:
                raise ProvisioningError(f"cannot delete {label}: {exc}") from exc
        if existed:
            console.print(f"  deleted   {label}")
            deleted.append(label)
    return deleted
