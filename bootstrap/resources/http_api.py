"""API Gateway: the HTTP API in front of the image API function.

Every route, and `$default` for everything else, goes to the one function, so
an unknown path or a wrong method still gets the function's JSON 404 / 405.
"""

from dataclasses import dataclass
from typing import Any

from bootstrap.reconcile import Change, Context

ROUTE_KEYS = (
    "GET /images",
    "GET /images/{id}",
    "POST /uploads",
    "DELETE /images/{id}",
    "$default",
)
STAGE_NAME = "$default"


def api_url(ctx: Context, api_id: str, api_endpoint: str) -> str:
    """Return the base URL clients call: on an emulator the path-style form always resolves.

    `<id>.execute-api.localhost` may not resolve on every machine, while both
    emulators also answer on `<endpoint>/_aws/execute-api/<id>`.
    """
    if ctx.settings.endpoint_url:
        return f"{ctx.settings.endpoint_url.rstrip('/')}/_aws/execute-api/{api_id}"
    return api_endpoint


@dataclass
class HttpApi:
    """The HTTP API with its Lambda integration, routes and auto-deployed stage."""

    name: str
    function_name: str
    kind: str = "HTTP API"

    def _find(self, ctx: Context) -> dict[str, Any] | None:
        client = ctx.aws.client("apigatewayv2")
        for page in client.get_paginator("get_apis").paginate():
            for api in page["Items"]:
                if api["Name"] == self.name:
                    return dict(api)
        return None

    def _integration_uri(self, ctx: Context) -> str:
        return ctx.arn("lambda", f"function:{self.function_name}")

    def plan(self, ctx: Context) -> Change:
        api = self._find(ctx)
        if api is None:
            return Change("create")

        self._remember(ctx, api)
        client = ctx.aws.client("apigatewayv2")
        integrations = client.get_integrations(ApiId=api["ApiId"])["Items"]
        details = []
        if [i.get("IntegrationUri") for i in integrations] != [self._integration_uri(ctx)]:
            details.append("integration")
        routes = {r["RouteKey"] for r in client.get_routes(ApiId=api["ApiId"])["Items"]}
        if routes != set(ROUTE_KEYS):
            details.append("routes")
        stages = {s["StageName"] for s in client.get_stages(ApiId=api["ApiId"])["Items"]}
        if STAGE_NAME not in stages:
            details.append("stage")
        return Change("update", tuple(details)) if details else Change("unchanged")

    def _remember(self, ctx: Context, api: dict[str, Any]) -> None:
        ctx.values["api_id"] = api["ApiId"]
        ctx.values["api_url"] = api_url(ctx, api["ApiId"], api["ApiEndpoint"])

    def apply(self, ctx: Context, change: Change) -> None:
        client = ctx.aws.client("apigatewayv2")
        if change.action == "create":
            api = client.create_api(
                Name=self.name,
                ProtocolType="HTTP",
                Description="Image gallery API",
                Tags=ctx.settings.tags,
            )
            self._remember(ctx, api)
        api_id = ctx.values["api_id"]

        integration_id = self._replace_integration(ctx, api_id)
        self._replace_routes(ctx, api_id, integration_id)
        stages = {s["StageName"] for s in client.get_stages(ApiId=api_id)["Items"]}
        if STAGE_NAME not in stages:
            client.create_stage(ApiId=api_id, StageName=STAGE_NAME, AutoDeploy=True)

    def _replace_integration(self, ctx: Context, api_id: str) -> str:
        client = ctx.aws.client("apigatewayv2")
        for route in client.get_routes(ApiId=api_id)["Items"]:
            client.delete_route(ApiId=api_id, RouteId=route["RouteId"])
        for integration in client.get_integrations(ApiId=api_id)["Items"]:
            client.delete_integration(ApiId=api_id, IntegrationId=integration["IntegrationId"])
        created = client.create_integration(
            ApiId=api_id,
            IntegrationType="AWS_PROXY",
            IntegrationUri=self._integration_uri(ctx),
            PayloadFormatVersion="2.0",
            TimeoutInMillis=29000,
        )
        return str(created["IntegrationId"])

    def _replace_routes(self, ctx: Context, api_id: str, integration_id: str) -> None:
        client = ctx.aws.client("apigatewayv2")
        for route_key in ROUTE_KEYS:
            client.create_route(
                ApiId=api_id, RouteKey=route_key, Target=f"integrations/{integration_id}"
            )

    def delete(self, ctx: Context) -> bool:
        api = self._find(ctx)
        if api is None:
            return False
        ctx.aws.client("apigatewayv2").delete_api(ApiId=api["ApiId"])
        return True


def execute_api_source_arn(ctx: Context) -> str:
    """Return the ARN pattern that lets every route and stage of our API invoke the function."""
    api_id = ctx.values.get("api_id", "*")
    return ctx.arn("execute-api", f"{api_id}/*/*")
