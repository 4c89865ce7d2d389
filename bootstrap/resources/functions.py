"""Lambda: the dependency layer, the two functions, the queue trigger and invoke permissions."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from bootstrap import packaging
from bootstrap.reconcile import Change, Context, error_code, retry

# A fresh role is not assumable for a few seconds, and a function being
# updated refuses the next update until it settles.
_SETTLING_CODES = ("InvalidParameterValueException", "ResourceConflictException")


@dataclass
class DependencyLayer:
    """The layer with Pillow and Powertools, built for the runtime that executes it."""

    name: str
    kind: str = "Lambda layer"

    def _fingerprint(self, ctx: Context) -> str:
        return packaging.layer_fingerprint(ctx.settings.lambda_runtime, ctx.settings.lambda_arch)

    def plan(self, ctx: Context) -> Change:
        fingerprint = self._fingerprint(ctx)
        versions = ctx.aws.client("lambda").list_layer_versions(LayerName=self.name)
        for version in versions.get("LayerVersions", []):
            if version.get("Description", "").endswith(fingerprint):
                ctx.values["layer_arn"] = version["LayerVersionArn"]
                return Change("unchanged")
        return Change("create", (f"build {fingerprint}",))

    def apply(self, ctx: Context, change: Change) -> None:
        settings = ctx.settings
        layer = packaging.build_layer(settings.lambda_runtime, settings.lambda_arch)
        published = ctx.aws.client("lambda").publish_layer_version(
            LayerName=self.name,
            Description=f"image-pipeline dependencies {self._fingerprint(ctx)}",
            Content={"ZipFile": layer.read()},
            CompatibleRuntimes=[settings.lambda_runtime],
            CompatibleArchitectures=[settings.lambda_arch],
        )
        ctx.values["layer_arn"] = published["LayerVersionArn"]

    def delete(self, ctx: Context) -> bool:
        client = ctx.aws.client("lambda")
        versions = client.list_layer_versions(LayerName=self.name).get("LayerVersions", [])
        for version in versions:
            client.delete_layer_version(LayerName=self.name, VersionNumber=version["Version"])
        return bool(versions)


@dataclass
class Function:
    """One function of the shared code package, with its role, layer and environment.

    With `bundles_dependencies`, the package carries the layer's packages
    itself and the function has no layer (for emulators that do not apply
    layers).
    """

    name: str
    handler: str
    role_name: str
    memory_mb: int
    timeout_s: int
    environment: Callable[[Context], dict[str, str]]
    bundles_dependencies: bool = False
    kind: str = "Lambda function"

    def _desired(self, ctx: Context) -> dict[str, Any]:
        layers = [] if self.bundles_dependencies else [ctx.values.get("layer_arn", "(new layer)")]
        return {
            "Runtime": ctx.settings.lambda_runtime,
            "Handler": self.handler,
            "Role": ctx.values[f"role:{self.role_name}"],
            "MemorySize": self.memory_mb,
            "Timeout": self.timeout_s,
            "Environment": {"Variables": self.environment(ctx)},
            "Layers": layers,
        }

    def _code(self, ctx: Context) -> packaging.Package:
        if self.bundles_dependencies:
            settings = ctx.settings
            return packaging.build_bundled_package(settings.lambda_runtime, settings.lambda_arch)
        return packaging.build_code_package()

    def plan(self, ctx: Context) -> Change:
        code = self._code(ctx)
        ctx.values[f"function_arn:{self.name}"] = ctx.arn("lambda", f"function:{self.name}")
        try:
            current = ctx.aws.client("lambda").get_function_configuration(FunctionName=self.name)
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return Change("create")
            raise

        details = [
            key for key, value in self._desired(ctx).items() if _current(current, key) != value
        ]
        if current.get("Architectures", ["x86_64"]) != [ctx.settings.lambda_arch]:
            details.append("Architectures")
        if current.get("CodeSha256") != code.sha256:
            details.append("code")
        return Change("update", tuple(details)) if details else Change("unchanged")

    def apply(self, ctx: Context, change: Change) -> None:
        client = ctx.aws.client("lambda")
        code = self._code(ctx)
        if change.action == "create":
            retry(
                lambda: client.create_function(
                    FunctionName=self.name,
                    Code={"ZipFile": code.read()},
                    Architectures=[ctx.settings.lambda_arch],
                    Tags=ctx.settings.tags,
                    **self._desired(ctx),
                ),
                ctx,
                _SETTLING_CODES,
            )
            client.get_waiter("function_active_v2").wait(FunctionName=self.name)
            return

        if set(change.details) - {"code", "Architectures"}:
            retry(
                lambda: client.update_function_configuration(
                    FunctionName=self.name, **self._desired(ctx)
                ),
                ctx,
                _SETTLING_CODES,
            )
            client.get_waiter("function_updated_v2").wait(FunctionName=self.name)
        if {"code", "Architectures"} & set(change.details):
            client.update_function_code(
                FunctionName=self.name,
                ZipFile=code.read(),
                Architectures=[ctx.settings.lambda_arch],
            )
            client.get_waiter("function_updated_v2").wait(FunctionName=self.name)

    def delete(self, ctx: Context) -> bool:
        try:
            ctx.aws.client("lambda").delete_function(FunctionName=self.name)
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return False
            raise
        return True


def _current(configuration: dict[str, Any], key: str) -> Any:
    if key == "Layers":
        return [layer["Arn"] for layer in configuration.get("Layers", [])]
    if key == "Environment":
        return {"Variables": configuration.get("Environment", {}).get("Variables", {})}
    return configuration.get(key)


@dataclass
class QueueTrigger:
    """The event source mapping from the upload queue to the processor."""

    queue_name: str
    function_name: str
    kind: str = "event source mapping"

    @property
    def name(self) -> str:
        return f"{self.queue_name} → {self.function_name}"

    def _desired(self, ctx: Context) -> dict[str, Any]:
        return {
            "BatchSize": ctx.settings.batch_size,
            "ScalingConfig": {"MaximumConcurrency": ctx.settings.max_concurrency},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        }

    def _find(self, ctx: Context) -> dict[str, Any] | None:
        mappings = ctx.aws.client("lambda").list_event_source_mappings(
            EventSourceArn=ctx.arn("sqs", self.queue_name), FunctionName=self.function_name
        )["EventSourceMappings"]
        return mappings[0] if mappings else None

    def plan(self, ctx: Context) -> Change:
        try:
            mapping = self._find(ctx)
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return Change("create")
            raise
        if mapping is None:
            return Change("create")

        ctx.values["mapping_uuid"] = mapping["UUID"]
        details = [key for key, value in self._desired(ctx).items() if mapping.get(key) != value]
        return Change("update", tuple(details)) if details else Change("unchanged")

    def apply(self, ctx: Context, change: Change) -> None:
        client = ctx.aws.client("lambda")
        if change.action == "create":
            retry(
                lambda: client.create_event_source_mapping(
                    EventSourceArn=ctx.arn("sqs", self.queue_name),
                    FunctionName=self.function_name,
                    Enabled=True,
                    **self._desired(ctx),
                ),
                ctx,
                _SETTLING_CODES,
            )
        else:
            client.update_event_source_mapping(
                UUID=ctx.values["mapping_uuid"], **self._desired(ctx)
            )

    def delete(self, ctx: Context) -> bool:
        try:
            mapping = self._find(ctx)
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return False
            raise
        if mapping is None:
            return False
        ctx.aws.client("lambda").delete_event_source_mapping(UUID=mapping["UUID"])
        return True


def find_policy_statement(
    ctx: Context, function_name: str, statement_id: str
) -> dict[str, Any] | None:
    """Return one statement of a function's resource policy, or None (no function, no such id)."""
    try:
        policy = ctx.aws.client("lambda").get_policy(FunctionName=function_name)
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None
        raise
    statements = json.loads(policy["Policy"]).get("Statement", [])
    return next((s for s in statements if s.get("Sid") == statement_id), None)


@dataclass
class InvokePermission:
    """A resource policy statement letting one AWS service invoke a function."""

    function_name: str
    statement_id: str
    principal: str
    source_arn: Callable[[Context], str]
    kind: str = "invoke permission"

    @property
    def name(self) -> str:
        return f"{self.function_name}:{self.statement_id}"

    def _statement(self, ctx: Context) -> dict[str, Any] | None:
        return find_policy_statement(ctx, self.function_name, self.statement_id)

    def plan(self, ctx: Context) -> Change:
        statement = self._statement(ctx)
        if statement is None:
            return Change("create")
        conditions = json.dumps(statement.get("Condition", {}))
        if self.source_arn(ctx) not in conditions:
            return Change("update", ("source ARN",))
        return Change("unchanged")

    def apply(self, ctx: Context, change: Change) -> None:
        client = ctx.aws.client("lambda")
        if change.action == "update":
            client.remove_permission(FunctionName=self.function_name, StatementId=self.statement_id)
        client.add_permission(
            FunctionName=self.function_name,
            StatementId=self.statement_id,
            Action="lambda:InvokeFunction",
            Principal=self.principal,
            SourceArn=self.source_arn(ctx),
            SourceAccount=ctx.account_id,
        )

    def delete(self, ctx: Context) -> bool:
        if self._statement(ctx) is None:
            return False
        ctx.aws.client("lambda").remove_permission(
            FunctionName=self.function_name, StatementId=self.statement_id
        )
        return True
