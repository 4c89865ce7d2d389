"""ECR: the gallery image's repository, scanned on push, with old images expired."""

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from bootstrap.reconcile import Change, Context, error_code


def lifecycle_policy(keep_images: int) -> dict[str, Any]:
    """Expire every image but the newest `keep_images`, so the registry does not grow forever."""
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"keep the newest {keep_images} images",
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": keep_images,
                },
                "action": {"type": "expire"},
            }
        ]
    }


@dataclass
class Repository:
    """The ECR repository of the gallery image: scanned on push, old images expired."""

    name: str
    kind: str = "ECR repository"

    def _mutability(self, ctx: Context) -> str:
        return "IMMUTABLE" if ctx.settings.ecr_immutable_tags else "MUTABLE"

    def plan(self, ctx: Context) -> Change:
        ecr = ctx.aws.client("ecr")
        try:
            repository = ecr.describe_repositories(repositoryNames=[self.name])["repositories"][0]
        except ClientError as exc:
            if error_code(exc) != "RepositoryNotFoundException":
                raise
            # ECR's documented URI form; the real one replaces it once the repository exists.
            registry = f"{ctx.account_id}.dkr.ecr.{ctx.settings.region}.amazonaws.com"
            ctx.values["repository_uri"] = f"{registry}/{self.name}"
            return Change("create")

        ctx.values["repository_uri"] = repository["repositoryUri"]
        details = []
        if not repository.get("imageScanningConfiguration", {}).get("scanOnPush"):
            details.append("scan on push")
        if repository.get("imageTagMutability") != self._mutability(ctx):
            details.append("tag mutability")
        if self._lifecycle_policy(ctx) != lifecycle_policy(ctx.settings.ecr_keep_images):
            details.append("lifecycle policy")
        return Change("update", tuple(details)) if details else Change("unchanged")

    def _lifecycle_policy(self, ctx: Context) -> dict[str, Any] | None:
        try:
            policy = ctx.aws.client("ecr").get_lifecycle_policy(repositoryName=self.name)
        except ClientError as exc:
            if error_code(exc) == "LifecyclePolicyNotFoundException":
                return None
            raise
        return dict(json.loads(policy["lifecyclePolicyText"]))

    def apply(self, ctx: Context, change: Change) -> None:
        ecr = ctx.aws.client("ecr")
        if change.action == "create":
            created = ecr.create_repository(
                repositoryName=self.name,
                imageTagMutability=self._mutability(ctx),
                imageScanningConfiguration={"scanOnPush": True},
                encryptionConfiguration={"encryptionType": "AES256"},
                tags=[{"Key": k, "Value": v} for k, v in ctx.settings.tags.items()],
            )
            ctx.values["repository_uri"] = created["repository"]["repositoryUri"]
        if "scan on push" in change.details:
            ecr.put_image_scanning_configuration(
                repositoryName=self.name, imageScanningConfiguration={"scanOnPush": True}
            )
        if "tag mutability" in change.details:
            ecr.put_image_tag_mutability(
                repositoryName=self.name, imageTagMutability=self._mutability(ctx)
            )
        if change.action == "create" or "lifecycle policy" in change.details:
            policy = lifecycle_policy(ctx.settings.ecr_keep_images)
            ecr.put_lifecycle_policy(
                repositoryName=self.name, lifecyclePolicyText=json.dumps(policy)
            )

    def delete(self, ctx: Context) -> bool:
        try:
            # force: the repository goes with its images, as teardown promises.
            ctx.aws.client("ecr").delete_repository(repositoryName=self.name, force=True)
        except ClientError as exc:
            if error_code(exc) == "RepositoryNotFoundException":
                return False
            raise
        return True
