"""DELETE /images/{id}: the original goes and the processor cleans up; abandoned rows go at once."""

from dataclasses import replace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdas import api, removal
from tests.unit.lambdas.api_harness import (
    NOW,
    ORIGIN,
    Sandbox,
    call,
    load_event,
    make_row,
    request,
    sandbox,
)

__all__ = ["sandbox"]

UPLOADS = "sample-image-uploads-bucket"


def _store(sandbox: Sandbox, status: str, *, with_object: bool) -> dict[str, Any]:
    row = make_row("uploads/abc/photo.jpg", NOW, sandbox.config, status=status)
    sandbox.table.put_item(Item=row)
    if with_object:
        sandbox.s3.put_object(Bucket=UPLOADS, Key=row["original_key"], Body=b"jpeg bytes")
    return row


def _keys(sandbox: Sandbox) -> list[str]:
    answer = sandbox.s3.list_objects_v2(Bucket=UPLOADS)
    return [entry["Key"] for entry in answer.get("Contents", [])]


def _row_status(sandbox: Sandbox, image_id: str) -> str | None:
    item = sandbox.table.get_item(Key={"image_id": image_id}).get("Item")
    return None if item is None else item["status"]


@pytest.mark.parametrize("status", ["ready", "failed", "pending"])
def test_delete_removes_the_original_and_leaves_the_row_to_the_processor(
    sandbox: Sandbox, status: str
) -> None:
    row = _store(sandbox, status, with_object=True)

    answer = request("DELETE", f"/images/{row['image_id']}")

    assert answer.status == 202
    assert answer.body == {"image_id": row["image_id"], "status": "deleting"}
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert _keys(sandbox) == []
    assert _row_status(sandbox, row["image_id"]) == status


def test_delete_of_an_abandoned_pending_upload_removes_its_row(sandbox: Sandbox) -> None:
    row = _store(sandbox, "pending", with_object=False)

    answer = request("DELETE", f"/images/{row['image_id']}")

    assert answer.status == 202
    assert _row_status(sandbox, row["image_id"]) is None


def test_delete_keeps_a_ready_row_whose_object_is_already_gone(sandbox: Sandbox) -> None:
    row = _store(sandbox, "ready", with_object=False)

    answer = request("DELETE", f"/images/{row['image_id']}")

    assert answer.status == 202
    assert _row_status(sandbox, row["image_id"]) == "ready"


def test_delete_of_an_unknown_id_is_404(sandbox: Sandbox) -> None:
    answer = call(load_event("http_delete_image.json"))

    assert answer.status == 404
    assert answer.body["error"]["code"] == "not_found"
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN


@pytest.mark.parametrize("image_id", ["nope", "ABCDEF0123456789ABCDEF0123456789", "0" * 33])
def test_delete_of_a_malformed_id_is_404(sandbox: Sandbox, image_id: str) -> None:
    answer = request("DELETE", f"/images/{image_id}")

    assert answer.status == 404
    assert answer.body["error"]["code"] == "not_found"


def test_forget_pending_row_spares_a_row_the_processor_finished(sandbox: Sandbox) -> None:
    row = _store(sandbox, "ready", with_object=False)

    assert removal.forget_pending_row(sandbox.table, row["image_id"]) is False
    assert _row_status(sandbox, row["image_id"]) == "ready"


def test_upload_landing_during_delete_of_pending_row_is_still_deleted(sandbox: Sandbox) -> None:
    row = _store(sandbox, "pending", with_object=False)
    finished = make_row(row["original_key"], NOW, sandbox.config, status="ready")

    class ProcessorFinishesFirst:
        """Answers 'missing' for the object, then lets the upload and the processor win the race."""

        def __init__(self, s3: Any) -> None:
            self.s3 = s3

        def head_object(self, **kwargs: Any) -> Any:
            try:
                return self.s3.head_object(**kwargs)
            finally:
                self.s3.put_object(Bucket=UPLOADS, Key=row["original_key"], Body=b"late")
                sandbox.table.put_item(Item=finished)

        def delete_object(self, **kwargs: Any) -> Any:
            return self.s3.delete_object(**kwargs)

    removal.remove_image(row, UPLOADS, sandbox.table, ProcessorFinishesFirst(sandbox.s3))  # type: ignore[arg-type]

    assert _keys(sandbox) == []
    assert _row_status(sandbox, row["image_id"]) == "ready"


class DeniedS3:
    """An S3 client whose HeadObject is refused, as without s3:ListBucket or s3:GetObject."""

    def head_object(self, **kwargs: Any) -> Any:
        raise ClientError({"Error": {"Code": "403", "Message": "Forbidden"}}, "HeadObject")


def test_has_object_reports_access_denied_instead_of_guessing() -> None:
    with pytest.raises(ClientError):
        removal.has_object(DeniedS3(), UPLOADS, "uploads/abc/photo.jpg")  # type: ignore[arg-type]


def test_has_object_tells_present_from_missing(sandbox: Sandbox) -> None:
    sandbox.s3.put_object(Bucket=UPLOADS, Key="present.jpg", Body=b"x")

    assert removal.has_object(sandbox.s3, UPLOADS, "present.jpg") is True
    assert removal.has_object(sandbox.s3, UPLOADS, "missing.jpg") is False


def test_denied_existence_check_is_a_generic_500(sandbox: Sandbox) -> None:
    row = _store(sandbox, "pending", with_object=False)
    api.use_services(replace(sandbox.services, s3=DeniedS3()))  # type: ignore[arg-type]

    answer = request("DELETE", f"/images/{row['image_id']}")

    assert answer.status == 500
    assert answer.body == {
        "error": {"code": "internal_error", "message": "The server could not complete the request."}
    }
    assert _row_status(sandbox, row["image_id"]) == "pending"
