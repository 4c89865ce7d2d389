"""The image API's paths and the methods each accepts, named as in openapi/openapi.yaml.

lambdas/api.py registers the route handlers with Powertools; this table answers
what Powertools does not: which methods a known path accepts (for 405 and its
Allow header) and which route a request belongs to (for the log line).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RouteSpec:
    """One path of the API, as the OpenAPI document names it, and the methods it accepts."""

    template: str
    pattern: re.Pattern[str]
    methods: tuple[str, ...]

    @property
    def allowed_methods(self) -> tuple[str, ...]:
        """The methods to name in an Allow header: the route's own plus the CORS preflight."""
        return tuple(sorted((*self.methods, "OPTIONS")))


ROUTES = (
    RouteSpec("/images", re.compile(r"/images"), ("GET",)),
    RouteSpec("/images/{id}", re.compile(r"/images/[^/]+"), ("DELETE", "GET")),
    RouteSpec("/uploads", re.compile(r"/uploads"), ("POST",)),
)

UNMATCHED = "unmatched"


def find_route(path: str) -> RouteSpec | None:
    """Return the API path that `path` (without the stage) belongs to, whatever the method."""
    return next((route for route in ROUTES if route.pattern.fullmatch(path)), None)


def describe_request(event: Mapping[str, Any]) -> tuple[str, str]:
    """Return the method and the route template of a raw HTTP API event, for logging.

    Tolerates malformed events (an empty method, route `unmatched`), and never
    returns the raw path, which may carry anything a client sent.
    """
    context = event.get("requestContext") or {}
    method = str((context.get("http") or {}).get("method", "")).upper()

    # Like Powertools: a named stage prefixes rawPath, the $default stage does not.
    path = str(event.get("rawPath", ""))
    stage = context.get("stage")
    if stage and stage != "$default" and path.startswith(f"/{stage}"):
        path = path[len(stage) + 1 :]

    route = find_route(path)
    return method, route.template if route else UNMATCHED
