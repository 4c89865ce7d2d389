"""AwsClients turns every way of not knowing the account into MissingCredentialsError."""

import pytest
from botocore.stub import Stubber

from bootstrap.aws import AwsClients, MissingCredentialsError
from bootstrap.settings import load_settings


@pytest.mark.parametrize("code", ["InvalidClientTokenId", "ExpiredToken"])
def test_rejected_credentials_become_one_readable_error(code: str) -> None:
    aws = AwsClients(load_settings("aws", {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}))
    # The stub answers before any request is signed or sent.
    with Stubber(aws.client("sts")) as sts:
        sts.add_client_error("get_caller_identity", service_error_code=code, http_status_code=403)

        with pytest.raises(
            MissingCredentialsError, match=f"cannot confirm the AWS account: .*{code}"
        ):
            _ = aws.account_id
