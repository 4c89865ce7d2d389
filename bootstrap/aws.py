"""boto3 clients for the chosen target, built once per run from the settings."""

import os
from functools import cached_property
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    NoRegionError,
    ProfileNotFound,
)

from bootstrap.settings import Settings

# Emulators accept any key; "test" is the conventional one both MiniStack and
# LocalStack treat as the account's root caller.
EMULATOR_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


class MissingCredentialsError(RuntimeError):
    """No AWS credentials are configured for the aws target."""


class AwsClients:
    """Lazily created clients that all point at one target (emulator or AWS)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        try:
            self._session = self._make_session(settings)
        except ProfileNotFound as exc:
            raise MissingCredentialsError(
                f"AWS profile {exc.kwargs['profile']!r} not found: run "
                "'aws configure --profile NAME' or unset AWS_PROFILE"
            ) from exc
        self._clients: dict[str, Any] = {}

    @staticmethod
    def _make_session(settings: Settings) -> boto3.Session:
        has_own_keys = bool(os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE"))
        if settings.target == "local" and not has_own_keys:
            return boto3.Session(
                region_name=settings.region,
                aws_access_key_id=EMULATOR_CREDENTIALS["aws_access_key_id"],
                aws_secret_access_key=EMULATOR_CREDENTIALS["aws_secret_access_key"],
            )
        return boto3.Session(region_name=settings.region)

    def client(self, service: str) -> Any:
        """Return the client for `service`, with the target's endpoint and SigV4 for S3."""
        if service in self._clients:
            return self._clients[service]

        config = Config(
            retries={"max_attempts": 5, "mode": "standard"},
            s3={"addressing_style": "path"} if self.settings.endpoint_url else {},
            signature_version="s3v4" if service == "s3" else None,
        )
        try:
            client = self._session.client(  # type: ignore[call-overload]
                service, endpoint_url=self.settings.endpoint_url, config=config
            )
        except NoRegionError as exc:
            raise MissingCredentialsError("no AWS region: set AWS_DEFAULT_REGION") from exc
        self._clients[service] = client
        return client

    @cached_property
    def account_id(self) -> str:
        """Return the account id of the caller (STS GetCallerIdentity)."""
        try:
            identity = self.client("sts").get_caller_identity()
        except NoCredentialsError as exc:
            raise MissingCredentialsError(
                "no AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (see 'aws configure')"
            ) from exc
        except (ClientError, BotoCoreError) as exc:
            # Expired or wrong keys, an expired SSO session, no network to STS.
            raise MissingCredentialsError(f"cannot confirm the AWS account: {exc}") from exc
        return str(identity["Account"])
