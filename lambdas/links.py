"""URLs the browser uses for originals and thumbnails, built per request and never stored.

Presigned GET URLs (SigV4) are signed for the public endpoint, the host the
browser reaches, which can differ from the host the Lambda reaches (a compose
network name versus localhost). Signing is local computation: no AWS call per URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import boto3
from botocore import UNSIGNED
from botocore.config import Config

from lambdas.config import FunctionConfig

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# The variables boto3 itself reads for an S3 endpoint, most specific first.
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")


def find_environment_endpoint(environ: Mapping[str, str]) -> str | None:
    """Return the S3 endpoint boto3 would take from `environ` (None: AWS itself)."""
    return next((environ[name] for name in ENDPOINT_VARIABLES if environ.get(name)), None)


def resolve_public_endpoint(config: FunctionConfig, environ: Mapping[str, str]) -> str | None:
    """Return the S3 endpoint the browser uses: the configured public one, else boto3's.

    None means real AWS (boto3 picks the regional S3 endpoint).
    """
    return config.public_endpoint_url or find_environment_endpoint(environ)


def make_s3_client(endpoint_url: str | None, *, is_signed: bool = True) -> S3Client:
    """Create an S3 client for `endpoint_url` (None: AWS) that signs with SigV4, or not at all.

    An explicit endpoint (an emulator) gets path-style addressing, since
    `<bucket>.localhost` rarely resolves; AWS gets virtual-hosted addressing.
    """
    addressing_style: Literal["path", "virtual"] = "path" if endpoint_url else "virtual"
    client_config = Config(
        signature_version="s3v4" if is_signed else UNSIGNED,
        s3={"addressing_style": addressing_style},
    )
    return boto3.client("s3", endpoint_url=endpoint_url, config=client_config)


@dataclass(frozen=True)
class LinkMaker:
    """Builds object URLs for one public endpoint with one lifetime."""

    signer: S3Client
    unsigned: S3Client
    expiry_s: int

    def signed_url(self, bucket_name: str, key: str) -> str:
        """Return a presigned GET URL for the object, valid for `expiry_s` seconds."""
        params = {"Bucket": bucket_name, "Key": key}
        return self.signer.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=self.expiry_s
        )

    def plain_url(self, bucket_name: str, key: str) -> str:
        """Return the unsigned object URL (only useful for a world-readable bucket)."""
        params = {"Bucket": bucket_name, "Key": key}
        return self.unsigned.generate_presigned_url("get_object", Params=params)


def make_link_maker(config: FunctionConfig, environ: Mapping[str, str]) -> LinkMaker:
    """Create the URL builder for the browser's endpoint, as resolved from config and environ."""
    endpoint_url = resolve_public_endpoint(config, environ)
    return LinkMaker(
        signer=make_s3_client(endpoint_url),
        unsigned=make_s3_client(endpoint_url, is_signed=False),
        expiry_s=config.url_expiry_s,
    )
