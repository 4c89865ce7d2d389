"""Errors the image API answers with: one exception per client mistake, one JSON shape.

Raised by the API modules (listing, uploads, api) and turned into
`{"error": {"code": ..., "message": ...}}` responses by the handler in lambdas/api.py.
"""

from typing import TypedDict


class ErrorDetail(TypedDict):
    """The inner object of an error body."""

    code: str
    message: str


class ErrorBody(TypedDict):
    """The JSON body of every error response."""

    error: ErrorDetail


INTERNAL_ERROR_CODE = "internal_error"
INTERNAL_ERROR_MESSAGE = "The server could not complete the request."


class ApiError(Exception):
    """A request the API answers with a 4xx status and a JSON error body."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequestError(ApiError):
    """The request is malformed in a way no narrower error names."""


class InvalidLimitError(ApiError):
    """The `limit` query parameter is not an integer in the allowed range."""

    code = "invalid_limit"


class InvalidCursorError(ApiError):
    """The `cursor` query parameter was not issued by this API."""

    code = "invalid_cursor"


class InvalidBodyError(ApiError):
    """The request body is not JSON of the documented shape."""

    code = "invalid_body"


class ImageNotFoundError(ApiError):
    """No image has the requested id (or the id cannot be one)."""

    status_code = 404
    code = "not_found"


class RouteNotFoundError(ApiError):
    """No route matches the request path."""

    status_code = 404
    code = "not_found"


class MethodNotAllowedError(ApiError):
    """The path exists but does not accept the request method."""

    status_code = 405
    code = "method_not_allowed"

    def __init__(self, message: str, allowed_methods: tuple[str, ...]) -> None:
        super().__init__(message)
        self.allowed_methods = allowed_methods


class PayloadTooLargeError(ApiError):
    """The announced upload (or the request body itself) exceeds the size limit."""

    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaTypeError(ApiError):
    """The announced upload is not one of the accepted image types."""

    status_code = 415
    code = "unsupported_media_type"


def make_error_body(code: str, message: str) -> ErrorBody:
    """Build the JSON body shared by every error response."""
    return {"error": {"code": code, "message": message}}
