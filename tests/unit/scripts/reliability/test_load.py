"""Unit tests of scripts/reliability/load.py: the upload plan and sending (moto S3)."""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from scripts.reliability import load

REGION = "us-east-1"
BUCKET = "sample-image-uploads-bucket"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET)
        yield client


def test_plan_mixes_invalid_api_and_fault_uploads_in_the_asked_proportions() -> None:
    plan = load.plan_uploads(100, "stress/", invalid_every=20, api_every=50, transient=3, poison=2)

    assert len(plan) == 100
    assert sum(not upload.payload.is_valid for upload in plan) == 5
    assert sum(upload.via_api for upload in plan) == 2
    assert [upload.fault for upload in plan if upload.fault] == ["transient"] * 3 + ["poison"] * 2


def test_planned_keys_are_unique_and_fault_keys_sit_under_their_prefix() -> None:
    plan = load.plan_uploads(100, "stress/", invalid_every=20, api_every=50, transient=3, poison=2)

    keys = [upload.key for upload in plan if not upload.via_api]
    assert len(keys) == len(set(keys)) == 98
    for upload in plan:
        if upload.fault:
            assert upload.key.startswith(load.fault_prefix("stress/", upload.fault))


def test_fault_uploads_are_valid_s3_uploads() -> None:
    plan = load.plan_uploads(40, "stress/", invalid_every=2, api_every=3, transient=4, poison=1)

    faulty = [upload for upload in plan if upload.fault]
    assert all(upload.payload.is_valid and not upload.via_api for upload in faulty)


def test_bursts_split_the_plan_in_order() -> None:
    plan = load.plan_uploads(70, "stress/", invalid_every=0, api_every=0, transient=0, poison=0)

    bursts = list(load.split_bursts(plan, 32))

    assert [len(burst) for burst in bursts] == [32, 32, 6]
    assert [upload for burst in bursts for upload in burst] == plan


def test_uploader_stores_objects_with_their_content_type(s3: Any) -> None:
    plan = load.plan_uploads(3, "stress/", invalid_every=0, api_every=0, transient=0, poison=0)
    uploader = load.Uploader(s3, BUCKET, "http://127.0.0.1:9", threads=2)

    sent = [future.result() for future in uploader.submit(plan)]
    uploader.close()

    assert all(item.is_stored for item in sent)
    head = s3.head_object(Bucket=BUCKET, Key=plan[1].key)
    assert head["ContentType"] == plan[1].payload.content_type


def test_failed_upload_is_reported_not_raised(s3: Any) -> None:
    plan = load.plan_uploads(1, "stress/", invalid_every=0, api_every=0, transient=0, poison=0)
    uploader = load.Uploader(s3, "no-such-bucket", "http://127.0.0.1:9", threads=1)

    sent = uploader.send(plan[0])
    uploader.close()

    assert not sent.is_stored
    assert sent.error.startswith("NoSuchBucket")


def test_api_upload_whose_ticket_request_fails_counts_as_a_lost_ticket(s3: Any) -> None:
    plan = load.plan_uploads(3, "stress/", invalid_every=0, api_every=3, transient=0, poison=0)
    api_upload = next(upload for upload in plan if upload.via_api)
    # Port 9 (discard) on loopback refuses connections: the API cannot answer.
    uploader = load.Uploader(s3, BUCKET, "http://127.0.0.1:9", threads=1)

    sent = uploader.send(api_upload)
    uploader.close()

    assert (sent.is_stored, sent.lost_ticket, sent.ticket) == (False, True, None)
    assert sent.error.startswith("ConnectionError")
