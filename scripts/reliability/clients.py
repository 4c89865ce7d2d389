"""boto3 clients for a deployed pipeline, built from its outputs file: how the scripts reach it."""

from collections.abc import Mapping
from typing import Any

from botocore.config import Config

from scripts.results import make_session


def make_client(outputs: Mapping[str, Any], service: str) -> Any:
    """Return a client for `service` at the outputs' endpoint (none on AWS), SigV4 for S3."""
    endpoint_url = outputs.get("endpoint_url") or None
    config = Config(
        retries={"max_attempts": 5, "mode": "standard"},
        s3={"addressing_style": "path"} if endpoint_url else {},
        signature_version="s3v4" if service == "s3" else None,
    )
    session = make_session(outputs)
    return session.client(service, endpoint_url=endpoint_url, config=config)  # type: ignore[call-overload]
