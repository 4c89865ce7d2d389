"""Build the gallery image and push it to the ECR repository that provisioning made (aws target).

    python scripts/push_gallery_image.py

Needs Docker (a running engine) and AWS credentials. Run it after
`bootstrap/provision.py --target aws`: it builds frontend/ for the task's CPU
architecture, tags the image with the git short sha and with
PIPELINE_GALLERY_IMAGE_TAG (the tag the task definition runs), logs Docker in
to ECR with a fresh token passed on stdin, pushes both tags and, when the ECS
service exists, starts a new deployment so the service runs the new image.
"""

import argparse
import base64
import shutil
import subprocess
import sys
from pathlib import Path

# Run as a script (python scripts/push_gallery_image.py): make the project importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from botocore.exceptions import ClientError
from rich.console import Console

from bootstrap.aws import AwsClients
from bootstrap.cli import resolve_settings, run_safely
from bootstrap.settings import PROJECT_ROOT, Settings

FRONTEND_DIR = PROJECT_ROOT / "frontend"
DOCKER_TIMEOUT_S = 30


class PushError(RuntimeError):
    """The gallery image could not be built, tagged or pushed."""


def docker_problem() -> str | None:
    """Say why Docker cannot build images here, or None when its engine answers."""
    docker = shutil.which("docker")
    if docker is None:
        return "docker not found: building the gallery image needs Docker (Desktop or Engine)"
    try:
        answer = subprocess.run(
            [docker, "version", "--format", "{{.Server.Version}}"],
            capture_output=True,
            text=True,
            timeout=DOCKER_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return f"the Docker engine gave no answer in {DOCKER_TIMEOUT_S} s: start it and retry"
    if answer.returncode != 0:
        return "the Docker engine is not running or not reachable: start Docker and retry"
    return None


def _run(command: list[str], stdin: str | None = None) -> None:
    """Run a docker or git command in the foreground, its output shown as it comes."""
    result = subprocess.run(command, input=stdin, text=True, cwd=PROJECT_ROOT)
    if result.returncode != 0:
        raise PushError(f"{Path(command[0]).name} {command[1]} failed (exit {result.returncode})")


def commit_tag() -> str:
    """Name the image after the checked-out commit, marked when the tree has local changes."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=PROJECT_ROOT,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", "frontend"],
            capture_output=True,
            text=True,
            check=True,
            cwd=PROJECT_ROOT,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise PushError("not a git checkout: the image is tagged with the commit's sha") from exc
    return f"{sha}-dirty" if status.strip() else sha


def _repository_uri(aws: AwsClients, settings: Settings) -> str:
    try:
        found = aws.client("ecr").describe_repositories(
            repositoryNames=[settings.gallery_repository]
        )
    except ClientError as exc:
        raise PushError(
            f"no ECR repository {settings.gallery_repository}: "
            "run 'python bootstrap/provision.py --target aws' first"
        ) from exc
    return str(found["repositories"][0]["repositoryUri"])


def _docker_login(aws: AwsClients, docker: str) -> None:
    """Log Docker in to the account's registry; the password travels on stdin only."""
    data = aws.client("ecr").get_authorization_token()["authorizationData"][0]
    user, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    login = [docker, "login", "--username", user, "--password-stdin", data["proxyEndpoint"]]
    _run(login, stdin=password)


def _redeploy(aws: AwsClients, settings: Settings, console: Console) -> None:
    """Start a new deployment so running tasks are replaced by ones with the new image."""
    ecs = aws.client("ecs")
    try:
        services = ecs.describe_services(
            cluster=settings.ecs_cluster, services=[settings.ecs_service]
        )["services"]
    except ClientError:
        services = []
    if not any(service["status"] == "ACTIVE" for service in services):
        console.print("no ECS service yet: provisioning will start it with this image")
        return
    ecs.update_service(
        cluster=settings.ecs_cluster, service=settings.ecs_service, forceNewDeployment=True
    )
    console.print(f"service {settings.ecs_service} is rolling out the new image")


def push(console: Console) -> None:
    """Build, tag, push and roll out the gallery image."""
    problem = docker_problem()
    if problem:
        raise PushError(problem)
    docker = shutil.which("docker") or "docker"

    settings, aws = resolve_settings(argparse.Namespace(target="aws", trigger=None))
    repository = _repository_uri(aws, settings)
    images = [f"{repository}:{commit_tag()}", f"{repository}:{settings.gallery_image_tag}"]
    # The image must match the task's CPU architecture, not this machine's.
    platform = "linux/arm64" if settings.gallery_arch == "arm64" else "linux/amd64"

    console.print(f"building {FRONTEND_DIR} for {platform}")
    tag_arguments = [argument for image in images for argument in ("--tag", image)]
    _run([docker, "build", "--platform", platform, *tag_arguments, str(FRONTEND_DIR)])
    _docker_login(aws, docker)
    for image in images:
        _run([docker, "push", image])
    console.print(f"pushed {', '.join(images)}")
    _redeploy(aws, settings, console)


def main(console: Console) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    try:
        push(console)
    except PushError as exc:
        console.print(f"error: {exc}", soft_wrap=True, highlight=False, markup=False)
        return 2
    return 0


if __name__ == "__main__":
    run_safely(main)
