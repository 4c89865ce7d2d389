"""An upload flows through the deployed pipeline: thumbnail, metadata row, API listing."""

from typing import Any

from lambdas.records import make_image_id, make_thumbnail_key
from tests.support.corpus import corpus_file
from tests.support.sandbox import Pipeline, wait_for


def _finished_row(pipeline: Pipeline, image_id: str) -> dict[str, Any] | None:
    item = (
        pipeline.client("dynamodb")
        .get_item(TableName=pipeline.outputs["table_name"], Key={"image_id": {"S": image_id}})
        .get("Item")
    )
    if item and item["status"]["S"] in ("ready", "failed"):
        return dict(item)
    return None


def test_uploaded_photo_gets_thumbnail_row_and_listing(pipeline: Pipeline) -> None:
    bucket = pipeline.outputs["uploads_bucket"]
    key = "flow/Landscape 1.jpg"
    image_id = make_image_id(bucket, key)

    pipeline.client("s3").upload_file(str(corpus_file("exif-Landscape_1.jpg")), bucket, key)
    row = wait_for(lambda: _finished_row(pipeline, image_id), what=f"row of {key}")

    assert row["status"]["S"] == "ready"
    assert (row["width"]["N"], row["height"]["N"]) == ("1800", "1200")
    thumbnail = pipeline.client("s3").head_object(
        Bucket=pipeline.outputs["thumbnails_bucket"], Key=make_thumbnail_key(image_id, 200)
    )
    assert thumbnail["ContentType"] == "image/jpeg"
    status, listing = pipeline.get_json("/images?limit=100")
    assert status == 200
    listed = [item for item in listing["items"] if item["image_id"] == image_id]
    assert len(listed) == 1
    assert listed[0]["status"] == "ready"
    assert (listed[0]["width"], listed[0]["height"]) == (1800, 1200)
