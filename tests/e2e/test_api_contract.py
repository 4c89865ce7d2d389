"""Property-based run of openapi/openapi.yaml against the deployed API over real HTTP.

Schemathesis generates requests from the document (valid and invalid ones)
and runs all its checks on every answer: no 5xx, a documented status, content
type, headers and body, valid input accepted and invalid input refused. A
disposable pipeline holds a ready, a failed and a pending image, so listings
carry every item shape, and the uploads the run announces stay there.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, CheckFunction

from tests.support.api import (
    ALLOWED_ORIGIN,
    draw_jpeg,
    post_form,
    provision_disposable,
    request_upload,
    wait_for_status,
)
from tests.support.sandbox import Pipeline, teardown_pipeline

DOCUMENT_PATH = Path(__file__).resolve().parents[2] / "openapi" / "openapi.yaml"
# Every operation's coverage cases plus this many generated ones: about a minute in all.
MAX_EXAMPLES = 40

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": MAX_EXAMPLES},
        "checks": {
            # The API's refusals: 413 and 415 are as much a "no" as 400.
            "negative_data_rejection": {"expected-statuses": ["400", "404", "405", "413", "415"]}
        },
        "operations": [
            {
                # The size limit is a deployment setting (PIPELINE_MAX_UPLOAD_BYTES),
                # which the document cannot state as a maximum.
                "include-name": "POST /uploads",
                "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "413"]}},
            }
        ],
    }
)
# MiniStack answers OPTIONS itself (403 without an API CORS configuration),
# while AWS hands it to the function: tests/e2e/test_api_errors.py covers preflights.
schema = schemathesis.openapi.from_path(DOCUMENT_PATH, config=CONFIG).exclude(method="OPTIONS")


@pytest.fixture(scope="module")
def contract_pipeline(
    pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    work_dir = tmp_path_factory.mktemp("api-contract")
    disposable = provision_disposable(pipeline, work_dir, "api-contract")
    try:
        ready = request_upload(disposable, "ready.jpg", "image/jpeg")
        assert post_form(ready, draw_jpeg(300, 200), "ready.jpg").status_code == 204
        failed = request_upload(disposable, "broken.png", "image/png")
        assert post_form(failed, b"not a picture", "broken.png").status_code == 204
        request_upload(disposable, "pending.gif", "image/gif")
        wait_for_status(disposable, ready["image_id"], ("ready",))
        wait_for_status(disposable, failed["image_id"], ("failed",))
        yield disposable
    finally:
        teardown_pipeline(disposable)


def _checks_without_a_verdict(case: schemathesis.Case) -> list[CheckFunction]:
    """Name the checks that cannot judge this case; every other check runs."""
    query = case.query or {}
    names = []
    # A cursor is valid only when the API issued it, which no schema can say:
    # a schema-valid made-up cursor is rightly refused with 400.
    if "cursor" in query and case.meta is not None and case.meta.generation.mode.is_positive:
        names.append("positive_data_acceptance")
    # Unknown query parameters are ignored, as by most HTTP APIs. Schemathesis
    # 4.3.3 means to let that pass, but compares the serialised query (limit
    # "24") with the integer schema of limit and flags it as accepted bad input.
    documented = {parameter.name for parameter in case.operation.query}
    if set(query) - documented:
        names.append("negative_data_rejection")
    return CHECKS.get_by_names(names)


@schema.parametrize()
# Requests cross a real emulator and Lambda: no deadline, no timed assertions.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_api_answers_as_the_document_says(
    case: schemathesis.Case, contract_pipeline: Pipeline
) -> None:
    case.call_and_validate(
        base_url=contract_pipeline.api_url,
        headers={"Origin": ALLOWED_ORIGIN},
        excluded_checks=_checks_without_a_verdict(case),
    )
