"""Browser-style uploads over plain HTTP: POST /uploads, the S3 form POST, presigned reads, DELETE.

`requests` plays the browser: no AWS SDK, only the ticket the API hands out.
S3 itself enforces the presigned policy (type, key, size) and the private
buckets (AUTH=true), so every refusal here is S3's, as it would be on AWS.
"""

import io
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import requests
from botocore.exceptions import ClientError
from PIL import Image

from tests.support.api import (
    HTTP_TIMEOUT_S,
    call,
    draw_jpeg,
    post_form,
    provision_disposable,
    request_upload,
    wait_for_gone,
    wait_for_status,
)
from tests.support.sandbox import Pipeline, plain_s3_client, teardown_pipeline, wait_for

SMALL_LIMIT_BYTES = 4096
PHOTO_SIZE = (640, 480)


def _s3_error_code(response: requests.Response) -> str | None:
    return ElementTree.fromstring(response.content).findtext("Code")


def _stored_keys(pipeline: Pipeline, prefix: str) -> list[str]:
    answer = pipeline.client("s3").list_objects_v2(
        Bucket=pipeline.outputs["uploads_bucket"], Prefix=prefix
    )
    return [entry["Key"] for entry in answer.get("Contents", [])]


def _folder_of(key: str) -> str:
    return key.rsplit("/", 1)[0] + "/"


def _plain_url(presigned_url: str) -> str:
    return urlsplit(presigned_url)._replace(query="").geturl()


@pytest.fixture(scope="module")
def photo() -> bytes:
    return draw_jpeg(*PHOTO_SIZE)


@dataclass(frozen=True)
class Upload:
    """One browser upload: the ticket, the item before the file was sent, the processed item."""

    ticket: dict[str, Any]
    before: dict[str, Any]
    item: dict[str, Any]


@pytest.fixture(scope="module")
def uploaded(pipeline: Pipeline, photo: bytes) -> Upload:
    ticket = request_upload(pipeline, "Holiday photo.JPG", "image/jpeg", len(photo))
    _, before = pipeline.get_json(f"/images/{ticket['image_id']}")

    response = post_form(ticket, photo, "Holiday photo.JPG")
    assert response.status_code == 204, response.text
    item = wait_for_status(pipeline, ticket["image_id"], ("ready", "failed"))
    return Upload(ticket, before, item)


def test_upload_is_pending_until_the_processor_makes_it_ready(uploaded: Upload) -> None:
    before, item, ticket = uploaded.before, uploaded.item, uploaded.ticket

    assert (before["status"], before["thumbnail_url"], before["thumbnails"]) == (
        "pending",
        None,
        [],
    )
    assert item["status"] == "ready"
    assert (item["original_key"], item["name"]) == (ticket["key"], "Holiday-photo.JPG")
    assert (item["width"], item["height"], item["format"]) == (*PHOTO_SIZE, "JPEG")


def test_presigned_thumbnail_url_serves_a_jpeg(uploaded: Upload) -> None:
    response = requests.get(uploaded.item["thumbnail_url"], timeout=HTTP_TIMEOUT_S)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(response.content)) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("JPEG", (200, 150))


def test_presigned_original_url_serves_the_uploaded_bytes(uploaded: Upload, photo: bytes) -> None:
    response = requests.get(uploaded.item["original_url"], timeout=HTTP_TIMEOUT_S)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.content == photo


@pytest.mark.parametrize("url_field", ["thumbnail_url", "original_url"])
def test_object_url_without_signature_is_403(uploaded: Upload, url_field: str) -> None:
    response = requests.get(_plain_url(uploaded.item[url_field]), timeout=HTTP_TIMEOUT_S)

    assert response.status_code == 403
    assert _s3_error_code(response) == "AccessDenied"


def test_presigned_url_with_altered_signature_is_403(uploaded: Upload) -> None:
    url = uploaded.item["thumbnail_url"]
    signature = url.rsplit("X-Amz-Signature=", 1)[1][:64]
    forged = url.replace(signature, "0" * 64)

    response = requests.get(forged, timeout=HTTP_TIMEOUT_S)

    assert response.status_code == 403
    assert _s3_error_code(response) == "SignatureDoesNotMatch"


@pytest.mark.parametrize("url_field", ["thumbnail_url", "original_url"])
def test_anonymous_s3_client_cannot_read_either_bucket(
    pipeline: Pipeline, uploaded: Upload, url_field: str
) -> None:
    # Path-style URL: /<bucket>/<key>.
    path = unquote(urlsplit(uploaded.item[url_field]).path)
    bucket_name, key = path.lstrip("/").split("/", 1)
    anonymous = plain_s3_client(pipeline.settings.endpoint_url or "", pipeline.settings.region)

    with pytest.raises(ClientError) as refusal:
        anonymous.get_object(Bucket=bucket_name, Key=key)

    assert refusal.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


POLICY_BREAKS = {
    "text-content-type": ({"Content-Type": "text/plain"}, 403, "AccessDenied"),
    "other-key": ({"key": "uploads/someone-else/photo.jpg"}, 403, "AccessDenied"),
    "forged-signature": ({"x-amz-signature": "0" * 64}, 403, "SignatureDoesNotMatch"),
}


@pytest.mark.parametrize("policy_break", POLICY_BREAKS, ids=str)
def test_form_that_breaks_the_policy_is_refused_and_stores_nothing(
    pipeline: Pipeline, photo: bytes, policy_break: str
) -> None:
    field_changes, status, code = POLICY_BREAKS[policy_break]
    ticket = request_upload(pipeline, "refused.jpg", "image/jpeg")

    response = post_form(ticket, photo, "refused.jpg", field_changes)

    assert (response.status_code, _s3_error_code(response)) == (status, code)
    assert _stored_keys(pipeline, _folder_of(ticket["key"])) == []
    assert _stored_keys(pipeline, "uploads/someone-else/") == []


def test_empty_file_is_refused_by_s3(pipeline: Pipeline) -> None:
    ticket = request_upload(pipeline, "empty.jpg", "image/jpeg")

    response = post_form(ticket, b"", "empty.jpg")

    assert (response.status_code, _s3_error_code(response)) == (400, "EntityTooSmall")
    assert _stored_keys(pipeline, _folder_of(ticket["key"])) == []


@pytest.fixture(scope="module")
def small_pipeline(
    pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    """A second pipeline whose uploads may hold at most SMALL_LIMIT_BYTES."""
    work_dir = tmp_path_factory.mktemp("api-small")
    limit = {"PIPELINE_MAX_UPLOAD_BYTES": str(SMALL_LIMIT_BYTES)}
    disposable = provision_disposable(pipeline, work_dir, "api-small", limit)
    try:
        yield disposable
    finally:
        teardown_pipeline(disposable)


def _padded_jpeg(size_bytes: int) -> bytes:
    # Bytes after the JPEG end marker are ignored by decoders: a valid image of any size.
    photo = draw_jpeg(64, 48)
    return photo + b"\0" * (size_bytes - len(photo))


def test_announced_size_over_the_limit_is_413(small_pipeline: Pipeline) -> None:
    announced = b'{"filename": "big.jpg", "content_type": "image/jpeg", "size": 4097}'

    status, _, body = call(
        small_pipeline, "POST", "/uploads", announced, {"Content-Type": "application/json"}
    )

    assert (status, body["error"]["code"]) == (413, "payload_too_large")


def test_file_over_the_limit_is_refused_by_s3(small_pipeline: Pipeline) -> None:
    ticket = request_upload(small_pipeline, "big.jpg", "image/jpeg", 1000)

    response = post_form(ticket, _padded_jpeg(SMALL_LIMIT_BYTES + 1), "big.jpg")

    assert (response.status_code, _s3_error_code(response)) == (400, "EntityTooLarge")
    assert _stored_keys(small_pipeline, _folder_of(ticket["key"])) == []


def test_file_of_exactly_the_limit_is_stored(small_pipeline: Pipeline) -> None:
    ticket = request_upload(small_pipeline, "fits.jpg", "image/jpeg", SMALL_LIMIT_BYTES)

    response = post_form(ticket, _padded_jpeg(SMALL_LIMIT_BYTES), "fits.jpg")

    assert response.status_code == 204
    assert _stored_keys(small_pipeline, _folder_of(ticket["key"])) == [ticket["key"]]


def _thumbnail_keys(pipeline: Pipeline, image_id: str) -> list[str]:
    answer = pipeline.client("s3").list_objects_v2(
        Bucket=pipeline.outputs["thumbnails_bucket"], Prefix=f"{image_id}/"
    )
    return [entry["Key"] for entry in answer.get("Contents", [])]


def test_delete_removes_the_original_then_the_processor_removes_row_and_thumbnails(
    pipeline: Pipeline, photo: bytes
) -> None:
    ticket = request_upload(pipeline, "doomed.jpg", "image/jpeg")
    assert post_form(ticket, photo, "doomed.jpg").status_code == 204
    image_id = wait_for_status(pipeline, ticket["image_id"], ("ready",))["image_id"]
    assert _thumbnail_keys(pipeline, image_id) == [f"{image_id}/200.jpg"]

    status, _, body = call(pipeline, "DELETE", f"/images/{image_id}")

    assert (status, body) == (202, {"image_id": image_id, "status": "deleting"})
    assert _stored_keys(pipeline, ticket["key"]) == []
    wait_for_gone(pipeline, image_id)
    wait_for(
        lambda: True if _thumbnail_keys(pipeline, image_id) == [] else None,
        what=f"thumbnails of {image_id} to be deleted",
    )


def test_delete_of_an_abandoned_upload_forgets_its_row_at_once(pipeline: Pipeline) -> None:
    ticket = request_upload(pipeline, "never sent.png", "image/png")

    status, _, body = call(pipeline, "DELETE", f"/images/{ticket['image_id']}")

    assert (status, body) == (202, {"image_id": ticket["image_id"], "status": "deleting"})
    assert pipeline.get_json(f"/images/{ticket['image_id']}")[0] == 404
