"""Every IAM document we make is least-privilege: no wildcard action, "*" only where AWS insists."""

from typing import Any

import pytest

from bootstrap import policies
from bootstrap.settings import load_settings

ACCOUNT_ID = "123456789012"

# Actions AWS accepts only with "Resource": "*" (no resource-level permissions);
# policies.py says why each one is there.
STAR_RESOURCE_ALLOWED = {"ecr:GetAuthorizationToken"}


def _documents() -> dict[str, dict[str, Any]]:
    queue = load_settings("aws", {"PIPELINE_TRIGGER": "queue"})
    direct = load_settings("aws", {"PIPELINE_TRIGGER": "direct"})
    queue_arn = f"arn:aws:sqs:us-east-1:{ACCOUNT_ID}:image-processor-queue"
    return {
        "processor (queue)": policies.processor_policy(queue, ACCOUNT_ID),
        "processor (direct)": policies.processor_policy(direct, ACCOUNT_ID),
        "api": policies.api_policy(queue, ACCOUNT_ID),
        "task execution": policies.task_execution_policy(queue, ACCOUNT_ID),
        "lambda trust": policies.LAMBDA_TRUST,
        "ecs tasks trust": policies.ecs_tasks_trust(ACCOUNT_ID),
        "public thumbnails": policies.public_read_policy(queue.thumbnails_bucket),
        "upload queue": policies.queue_policy(queue_arn, queue.uploads_bucket, ACCOUNT_ID),
    }


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _statements() -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, statement)
        for name, document in _documents().items()
        for statement in document["Statement"]
    ]


def _statement_params() -> list[Any]:
    return [
        pytest.param(name, statement, id=f"{name}: {statement.get('Sid', 'trust')}")
        for name, statement in _statements()
    ]


@pytest.mark.parametrize(("document", "statement"), _statement_params())
def test_no_statement_grants_a_wildcard_action(document: str, statement: dict[str, Any]) -> None:
    actions = _as_list(statement.get("Action"))

    # "*", "s3:*" and partial patterns such as "s3:Get*" all count.
    wildcards = [a for a in actions if "*" in a]

    assert actions, f"{document}: statement without an action"
    assert wildcards == [], f"{document} grants {wildcards}"


def test_star_resources_appear_only_for_actions_aws_cannot_scope() -> None:
    star_actions = {
        action
        for _, statement in _statements()
        if "*" in _as_list(statement.get("Resource"))
        for action in _as_list(statement.get("Action"))
    }

    assert star_actions == STAR_RESOURCE_ALLOWED


def test_task_execution_role_reads_one_repository_and_writes_one_log_group() -> None:
    settings = load_settings("aws", {})

    document = policies.task_execution_policy(settings, ACCOUNT_ID)

    scoped = {s["Sid"]: s["Resource"] for s in document["Statement"]}
    assert scoped == {
        "GetRegistryToken": ["*"],
        "PullGalleryImage": [
            f"arn:aws:ecr:us-east-1:{ACCOUNT_ID}:repository/sample-nextjs-app",
        ],
        "WriteGalleryLogs": [
            f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:/ecs/sample-nextjs-task:log-stream:*",
        ],
    }


def test_ecs_tasks_trust_admits_only_this_accounts_tasks() -> None:
    (statement,) = policies.ecs_tasks_trust(ACCOUNT_ID)["Statement"]

    assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}
