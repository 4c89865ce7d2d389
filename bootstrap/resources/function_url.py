"""Lambda function URL: the API function's own HTTP endpoint, in place of the HTTP API.

For emulators without API Gateway v2 (LocalStack's community image). The URL
is public (AuthType NONE) and has no CORS configuration: the function answers
CORS itself, and with none configured on the URL Lambda passes the function's
headers through (https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors).
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError

from bootstrap.reconcile import Change, Context, error_code
from bootstrap.resources.functions import find_policy_statement

AUTH_TYPE = "NONE"
# LocalStack names a new URL after this tag of its function instead of a random
# id, so the compose file can give that host name to the emulator on its network.
CUSTOM_ID_TAG = "_custom_id_"
# AWS's own domain: an emulator that reports it (MiniStack) is not reachable by it.
AWS_URL_DOMAIN = ".on.aws"


def url_id(function_url: str) -> str:
    """Return the id of a function URL: the first label of its host name."""
    return (urlsplit(function_url).hostname or "").split(".", 1)[0]


def function_url_api_url(endpoint_url: str | None, function_url: str) -> str:
    """Return the base URL clients call, without the trailing slash Lambda reports.

    On an emulator that reports AWS's own host name (MiniStack), that name
    leads to AWS, not to the emulator; MiniStack also answers on the path form
    `<endpoint>/_aws/lambda-url/<id>`, which needs no DNS. LocalStack reports a
    host it serves itself (`<id>.lambda-url.<region>.localhost.localstack.cloud`),
    so its URL is kept as it is.
    """
    host = urlsplit(function_url).hostname or ""
    if endpoint_url and host.endswith(AWS_URL_DOMAIN):
        return f"{endpoint_url.rstrip('/')}/_aws/lambda-url/{url_id(function_url)}"
    return function_url.rstrip("/")


@dataclass
class FunctionUrl:
    """The public URL of one function (its unqualified $LATEST version)."""

    function_name: str
    kind: str = "Lambda function URL"

    @property
    def name(self) -> str:
        return self.function_name

    def _read(self, ctx: Context) -> dict[str, Any] | None:
        client = ctx.aws.client("lambda")
        try:
            return dict(client.get_function_url_config(FunctionName=self.function_name))
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            raise

    def plan(self, ctx: Context) -> Change:
        config = self._read(ctx)
        if config is None:
            return Change("create")

        self._remember(ctx, config)
        details = []
        if config.get("AuthType") != AUTH_TYPE:
            details.append("AuthType")
        if any((config.get("Cors") or {}).values()):
            details.append("Cors")
        return Change("update", tuple(details)) if details else Change("unchanged")

    def _remember(self, ctx: Context, config: dict[str, Any]) -> None:
        ctx.values["api_id"] = url_id(config["FunctionUrl"])
        ctx.values["api_url"] = function_url_api_url(
            ctx.settings.endpoint_url, config["FunctionUrl"]
        )

    def apply(self, ctx: Context, change: Change) -> None:
        client = ctx.aws.client("lambda")
        if change.action == "update":
            updated = client.update_function_url_config(
                FunctionName=self.function_name, AuthType=AUTH_TYPE, Cors={}
            )
            self._remember(ctx, dict(updated))
            return

        if ctx.settings.endpoint_url:
            # Read when the URL is created, so it must be on the function first.
            client.tag_resource(
                Resource=ctx.arn("lambda", f"function:{self.function_name}"),
                Tags={CUSTOM_ID_TAG: self.function_name},
            )
        created = client.create_function_url_config(
            FunctionName=self.function_name, AuthType=AUTH_TYPE
        )
        self._remember(ctx, dict(created))

    def delete(self, ctx: Context) -> bool:
        try:
            ctx.aws.client("lambda").delete_function_url_config(FunctionName=self.function_name)
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return False
            raise
        return True


@dataclass
class FunctionUrlPermission:
    """One statement of the function's resource policy that lets anyone call its URL.

    A public URL needs two (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html):
    lambda:InvokeFunctionUrl for URLs whose AuthType is NONE and, for URLs made
    since October 2025, lambda:InvokeFunction for calls that come through a
    function URL. Deleting a URL leaves them in place, so they are resources of
    their own.
    """

    function_name: str
    statement_id: str
    action: str
    conditions: dict[str, Any]
    kind: str = "function URL permission"

    @property
    def name(self) -> str:
        return f"{self.function_name}:{self.statement_id}"

    def _statement(self, ctx: Context) -> dict[str, Any] | None:
        return find_policy_statement(ctx, self.function_name, self.statement_id)

    def plan(self, ctx: Context) -> Change:
        statement = self._statement(ctx)
        if statement is None:
            return Change("create")
        if statement.get("Action") != self.action or statement.get("Principal") != "*":
            return Change("update", ("action or principal",))
        return Change("unchanged")

    def apply(self, ctx: Context, change: Change) -> None:
        client = ctx.aws.client("lambda")
        if change.action == "update":
            client.remove_permission(FunctionName=self.function_name, StatementId=self.statement_id)
        client.add_permission(
            FunctionName=self.function_name,
            StatementId=self.statement_id,
            Action=self.action,
            Principal="*",
            **self.conditions,
        )

    def delete(self, ctx: Context) -> bool:
        if self._statement(ctx) is None:
            return False
        ctx.aws.client("lambda").remove_permission(
            FunctionName=self.function_name, StatementId=self.statement_id
        )
        return True


def public_url_permissions(function_name: str) -> list[FunctionUrlPermission]:
    """List the two statements that open a function's URL (AuthType NONE) to everyone."""
    return [
        FunctionUrlPermission(
            function_name,
            "function-url-public",
            "lambda:InvokeFunctionUrl",
            {"FunctionUrlAuthType": AUTH_TYPE},
        ),
        FunctionUrlPermission(
            function_name,
            "function-url-invoke",
            "lambda:InvokeFunction",
            {"InvokedViaFunctionUrl": True},
        ),
    ]
