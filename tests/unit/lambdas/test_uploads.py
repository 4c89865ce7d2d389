"""POST /uploads: body parsing, safe keys, the presigned POST policy and the pending row."""

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdas import records, uploads
from lambdas.errors import InvalidBodyError, PayloadTooLargeError, UnsupportedMediaTypeError
from tests.unit.lambdas.api_harness import (
    NOW,
    ORIGIN,
    PUBLIC_ENDPOINT,
    Sandbox,
    call,
    load_event,
    make_row,
    request,
    sandbox,
)

__all__ = ["sandbox"]

MAX_UPLOAD_BYTES = 1048576
FIRST_TOKEN = f"{1:032x}"


def _post(body: object, **kwargs: Any) -> Any:
    text = body if isinstance(body, str | bytes) else json.dumps(body)
    return request("POST", "/uploads", body=text, **kwargs)


def _policy(answer: Any) -> dict[str, Any]:
    return json.loads(base64.b64decode(answer.body["upload"]["fields"]["policy"]))


@pytest.mark.parametrize(
    ("filename", "content_type", "expected"),
    [
        ("photo.jpg", "image/jpeg", "photo.jpg"),
        ("Holiday photo.JPG", "image/jpeg", "Holiday-photo.JPG"),
        ("../../etc/passwd.png", "image/png", "passwd.png"),
        ("C:\\Users\\me\\cat.gif", "image/gif", "cat.gif"),
        ("a+b%20c.webp", "image/webp", "a-b-20c.webp"),
        ("café.jpg", "image/jpeg", "café.jpg"),
        ("cafe\u0301.jpg", "image/jpeg", "café.jpg"),
        ("写真.png", "image/png", "写真.png"),
        (".hidden.jpg", "image/jpeg", "hidden.jpg"),
        (".jpg", "image/jpeg", "upload.jpg"),
        ("...", "image/jpeg", "upload.jpg"),
        ("scan", "image/tiff", "scan.tiff"),
        ("line\nbreak\x00.bmp", "image/bmp", "line-break.bmp"),
        ("x" * 300 + ".heic", "image/heic", "x" * 100 + ".heic"),
        ("photo.tar.gz", "image/jpeg", "photo.tar.gz"),
        ("photo.j p g", "image/jpeg", "photo.jpg"),
        ("photo.jpegjpegjpeg", "image/jpeg", "photo.jpg"),
        ("dir/", "image/png", "upload.png"),
    ],
    ids=[
        "plain",
        "space",
        "traversal",
        "windows-path",
        "plus-and-percent",
        "accent",
        "decomposed-accent",
        "cjk",
        "leading-dot",
        "only-extension",
        "only-dots",
        "no-extension",
        "control-characters",
        "very-long",
        "double-extension",
        "odd-extension",
        "over-long-extension",
        "folder-only",
    ],
)
def test_make_safe_filename(filename: str, content_type: str, expected: str) -> None:
    assert uploads.make_safe_filename(filename, content_type) == expected


def test_format_timestamp_is_utc_with_milliseconds_and_z() -> None:
    moment = datetime(2024, 5, 1, 16, 0, 0, 987654, tzinfo=timezone(timedelta(hours=2)))

    assert uploads.format_timestamp(moment) == "2024-05-01T14:00:00.987Z"


@pytest.mark.parametrize(
    "body",
    [
        None,
        "",
        "not json",
        "[1, 2]",
        '"photo.jpg"',
        "{}",
        '{"filename": "a.jpg"}',
        '{"content_type": "image/jpeg"}',
        '{"filename": "", "content_type": "image/jpeg"}',
        '{"filename": "   ", "content_type": "image/jpeg"}',
        '{"filename": 5, "content_type": "image/jpeg"}',
        '{"filename": "a.jpg", "content_type": null}',
        '{"filename": "a.jpg", "content_type": "image/jpeg", "size": 0}',
        '{"filename": "a.jpg", "content_type": "image/jpeg", "size": -1}',
        '{"filename": "a.jpg", "content_type": "image/jpeg", "size": 1.5}',
        '{"filename": "a.jpg", "content_type": "image/jpeg", "size": "10"}',
        '{"filename": "a.jpg", "content_type": "image/jpeg", "size": true}',
        '{"filename": "a.jpg", "content_type": "image/jpeg", "size": NaN}',
        '{"filename": "a.jpg", "content_type": "image/jpeg", "size": null}',
        '{"filename": "a.jpg", "content_type": "image/jpeg", "bucket": "other"}',
        '{"filename": "' + "a" * 1025 + '", "content_type": "image/jpeg"}',
        "[" * 2000 + "]" * 2000,
    ],
    ids=[
        "missing",
        "empty",
        "not-json",
        "array",
        "string",
        "empty-object",
        "no-content-type",
        "no-filename",
        "empty-filename",
        "blank-filename",
        "filename-not-string",
        "content-type-null",
        "size-zero",
        "size-negative",
        "size-fraction",
        "size-string",
        "size-bool",
        "size-nan",
        "size-null",
        "unknown-key",
        "filename-too-long",
        "deep-nesting",
    ],
)
def test_parse_upload_request_rejects_malformed_bodies(body: str | None) -> None:
    with pytest.raises(InvalidBodyError):
        uploads.parse_upload_request(body, is_base64_encoded=False)


def test_parse_upload_request_rejects_bad_base64() -> None:
    with pytest.raises(InvalidBodyError):
        uploads.parse_upload_request("not base64!", is_base64_encoded=True)


def test_parse_upload_request_reads_base64_bodies_and_normalises_the_type() -> None:
    body = base64.b64encode(b'{"filename": "a.png", "content_type": " Image/PNG ", "size": 9}')

    request = uploads.parse_upload_request(body.decode(), is_base64_encoded=True)

    assert request == uploads.UploadRequest("a.png", "image/png", 9)


def test_parse_upload_request_refuses_bodies_over_16_kib() -> None:
    body = '{"filename": "a.png", "content_type": "image/png"}' + " " * uploads.MAX_BODY_BYTES

    with pytest.raises(PayloadTooLargeError):
        uploads.parse_upload_request(body, is_base64_encoded=False)


def test_parse_upload_request_reads_the_longest_valid_body_fully_escaped() -> None:
    filename = "\N{GRINNING FACE}" * uploads.MAX_FILENAME_CHARS
    body = json.dumps({"filename": filename, "content_type": "image/jpeg", "size": 10**18})

    request = uploads.parse_upload_request(body, is_base64_encoded=False)

    assert request == uploads.UploadRequest(filename, "image/jpeg", 10**18)


@pytest.mark.parametrize(
    "content_type", sorted(uploads.ALLOWED_CONTENT_TYPES), ids=lambda content_type: content_type
)
def test_check_upload_allowed_accepts_every_image_type(content_type: str) -> None:
    uploads.check_upload_allowed(uploads.UploadRequest("a", content_type, 10), MAX_UPLOAD_BYTES)


@pytest.mark.parametrize(
    "content_type",
    ["image/svg+xml", "text/html", "application/octet-stream", "image/jpeg; q=1", "image/*", ""],
)
def test_check_upload_allowed_refuses_other_types_with_415(content_type: str) -> None:
    with pytest.raises(UnsupportedMediaTypeError):
        uploads.check_upload_allowed(uploads.UploadRequest("a", content_type, 10), 100)


def test_check_upload_allowed_refuses_sizes_over_the_limit_with_413() -> None:
    request = uploads.UploadRequest("a.jpg", "image/jpeg", MAX_UPLOAD_BYTES + 1)

    with pytest.raises(PayloadTooLargeError):
        uploads.check_upload_allowed(request, MAX_UPLOAD_BYTES)


def test_check_upload_allowed_accepts_exactly_the_limit() -> None:
    request = uploads.UploadRequest("a.jpg", "image/jpeg", MAX_UPLOAD_BYTES)

    uploads.check_upload_allowed(request, MAX_UPLOAD_BYTES)


def test_post_uploads_answers_201_with_a_server_chosen_key(sandbox: Sandbox) -> None:
    answer = call(load_event("http_post_uploads.json"))

    key = f"uploads/{FIRST_TOKEN}/Holiday-photo.jpg"
    assert answer.status == 201
    assert answer.body["key"] == key
    assert answer.body["image_id"] == records.make_image_id("sample-image-uploads-bucket", key)
    assert answer.body["expires_in"] == 900
    assert answer.body["upload"]["url"] == f"{PUBLIC_ENDPOINT}/sample-image-uploads-bucket"
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_post_uploads_gives_each_upload_its_own_key(sandbox: Sandbox) -> None:
    body = {"filename": "same.jpg", "content_type": "image/jpeg"}

    keys = [_post(body).body["key"] for _ in range(3)]

    assert keys == [f"uploads/{index:032x}/same.jpg" for index in (1, 2, 3)]


def test_post_uploads_fields_carry_key_content_type_and_sigv4(sandbox: Sandbox) -> None:
    answer = _post({"filename": "a.png", "content_type": "image/png"})

    fields = answer.body["upload"]["fields"]
    assert fields["key"] == answer.body["key"]
    assert fields["Content-Type"] == "image/png"
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    assert {"policy", "x-amz-credential", "x-amz-date", "x-amz-signature"} <= set(fields)


def test_post_uploads_policy_limits_size_type_bucket_and_key(sandbox: Sandbox) -> None:
    answer = _post({"filename": "a.png", "content_type": "image/png", "size": 10})

    conditions = _policy(answer)["conditions"]
    assert ["content-length-range", 1, MAX_UPLOAD_BYTES] in conditions
    assert {"Content-Type": "image/png"} in conditions
    assert {"bucket": "sample-image-uploads-bucket"} in conditions
    assert {"key": answer.body["key"]} in conditions


def test_post_uploads_policy_expires_with_the_url_expiry(sandbox: Sandbox) -> None:
    before = datetime.now(UTC).replace(microsecond=0)

    answer = _post({"filename": "a.png", "content_type": "image/png"})

    expiration = datetime.fromisoformat(_policy(answer)["expiration"].replace("Z", "+00:00"))
    assert timedelta(seconds=900) <= expiration - before <= timedelta(seconds=901)


def test_post_uploads_writes_the_pending_row(sandbox: Sandbox) -> None:
    answer = _post({"filename": "Beach day.webp", "content_type": "image/webp", "size": 2048})

    row = sandbox.table.get_item(Key={"image_id": answer.body["image_id"]})["Item"]
    image_id = answer.body["image_id"]
    uploaded_at = "2024-05-01T12:00:00.123Z"
    shard, sort = records.make_listing_keys(image_id, uploaded_at, 4)
    assert row == {
        "image_id": image_id,
        "bucket": "sample-image-uploads-bucket",
        "original_key": f"uploads/{FIRST_TOKEN}/Beach-day.webp",
        "name": "Beach-day.webp",
        "status": "pending",
        "uploaded_at": uploaded_at,
        "list_shard": shard,
        "list_sort": sort,
        "content_type": "image/webp",
        "expires_at": int((NOW + timedelta(seconds=900, days=1)).timestamp()),
    }


def test_pending_upload_is_listed_and_readable(sandbox: Sandbox) -> None:
    image_id = _post({"filename": "a.gif", "content_type": "image/gif"}).body["image_id"]

    listed = request("GET", "/images").body["items"]
    single = request("GET", f"/images/{image_id}").body

    assert [item["image_id"] for item in listed] == [image_id]
    assert single["status"] == "pending"
    assert single["thumbnail_url"] is None


def test_save_pending_row_never_overwrites_the_processors_row(sandbox: Sandbox) -> None:
    ready = make_row("uploads/x/a.jpg", NOW, sandbox.config)
    sandbox.table.put_item(Item=ready)
    pending = dict(ready, status="pending")

    with pytest.raises(ClientError) as caught:
        uploads.save_pending_row(sandbox.table, pending)  # type: ignore[arg-type]

    assert caught.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert sandbox.table.get_item(Key={"image_id": ready["image_id"]})["Item"]["status"] == "ready"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("{", 400, "invalid_body"),
        ({"filename": "a.svg", "content_type": "image/svg+xml"}, 415, "unsupported_media_type"),
        (
            {"filename": "a.jpg", "content_type": "image/jpeg", "size": MAX_UPLOAD_BYTES + 1},
            413,
            "payload_too_large",
        ),
        ("x" * (uploads.MAX_BODY_BYTES + 1), 413, "payload_too_large"),
    ],
    ids=["invalid-body", "unsupported-type", "too-large", "body-too-large"],
)
def test_rejected_uploads_answer_json_errors_with_cors_and_write_nothing(
    sandbox: Sandbox, body: object, status: int, code: str
) -> None:
    answer = _post(body)

    assert answer.status == status
    assert answer.body["error"]["code"] == code
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert sandbox.table.scan()["Items"] == []


def test_base64_encoded_request_body_is_accepted(sandbox: Sandbox) -> None:
    body = json.dumps({"filename": "a.jpg", "content_type": "image/jpeg"}).encode()

    answer = _post(body)

    assert answer.status == 201
