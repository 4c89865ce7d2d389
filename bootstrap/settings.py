"""Every setting of the pipeline in one place: its default and the variable that overrides it.

Provisioning, the sandbox scripts and the tests build one `Settings` from the
environment; the Lambda functions receive the subset they need as environment
variables (see `function_environment`).
"""

import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Target = Literal["local", "aws"]
ApiFront = Literal["http-api", "function-url"]
API_FRONTS: tuple[ApiFront, ...] = ("http-api", "function-url")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SANDBOX_DIR = PROJECT_ROOT / ".sandbox"


@dataclass(frozen=True)
class SettingSpec:
    """One documented setting: the environment variable and its default."""

    variable: str
    default: str
    description: str


SPECS: dict[str, SettingSpec] = {
    spec.variable: spec
    for spec in [
        SettingSpec(
            "AWS_ENDPOINT_URL", "http://127.0.0.1:4566", "AWS endpoint; empty on the aws target"
        ),
        SettingSpec("AWS_DEFAULT_REGION", "us-east-1", "region of every resource"),
        SettingSpec(
            "PIPELINE_PUBLIC_ENDPOINT_URL",
            "",
            "S3 endpoint the browser uses for presigned URLs (default: AWS_ENDPOINT_URL)",
        ),
        SettingSpec(
            "PIPELINE_NAME_PREFIX",
            "",
            "prefix for bucket names (the aws target defaults it to the account id)",
        ),
        SettingSpec("PIPELINE_UPLOADS_BUCKET", "sample-image-uploads-bucket", "originals"),
        SettingSpec("PIPELINE_THUMBNAILS_BUCKET", "sample-thumbnails-bucket", "thumbnails"),
        SettingSpec("PIPELINE_TABLE_NAME", "image_metadata", "metadata table"),
        SettingSpec("PIPELINE_QUEUE_NAME", "image-processor-queue", "upload events queue"),
        SettingSpec("PIPELINE_DLQ_NAME", "image-processor-dlq", "dead-letter queue"),
        SettingSpec("PIPELINE_PROCESSOR_FUNCTION", "image-processor", "processor Lambda"),
        SettingSpec("PIPELINE_API_FUNCTION", "image-api", "API Lambda"),
        SettingSpec("PIPELINE_API_NAME", "image-gallery-api", "HTTP API"),
        SettingSpec("PIPELINE_LAYER_NAME", "image-pipeline-deps", "dependency layer"),
        SettingSpec(
            "PIPELINE_TRIGGER", "queue", "queue (S3 → SQS → Lambda) or direct (S3 → Lambda)"
        ),
        SettingSpec(
            "PIPELINE_BUNDLE_DEPENDENCIES",
            "false",
            "true: ship the dependencies inside the code package instead of a layer",
        ),
        SettingSpec(
            "PIPELINE_API_FRONT",
            "http-api",
            "http-api (API Gateway HTTP API) or function-url (a Lambda function URL)",
        ),
        SettingSpec("PIPELINE_THUMBNAIL_SIZES", "200", "comma-separated longest edges in pixels"),
        SettingSpec("PIPELINE_MAX_UPLOAD_BYTES", str(25 * 1024 * 1024), "largest accepted upload"),
        SettingSpec("PIPELINE_MAX_PIXELS", "64000000", "largest accepted width × height"),
        SettingSpec("PIPELINE_URL_EXPIRY_S", "3600", "lifetime of presigned URLs"),
        SettingSpec(
            "PIPELINE_ALLOWED_ORIGINS",
            "",
            "gallery origins allowed by CORS (default: localhost and 127.0.0.1 at GALLERY_PORT)",
        ),
        SettingSpec(
            "PIPELINE_PUBLIC_THUMBNAILS",
            "false",
            "true: thumbnails bucket world-readable, as in the tutorial",
        ),
        SettingSpec("PIPELINE_LIST_SHARDS", "4", "partitions of the newest-first index"),
        SettingSpec(
            "PIPELINE_UPLOAD_PREFIX", "uploads/", "key prefix for uploads via POST /uploads"
        ),
        SettingSpec("PIPELINE_BATCH_SIZE", "5", "SQS messages per processor invocation"),
        SettingSpec(
            "PIPELINE_MAX_CONCURRENCY", "2", "processor invocations at once (queue trigger)"
        ),
        SettingSpec(
            "PIPELINE_MAX_RECEIVE_COUNT", "3", "deliveries before a message is dead-lettered"
        ),
        SettingSpec("PIPELINE_PROCESSOR_MEMORY_MB", "1024", "processor Lambda memory"),
        SettingSpec("PIPELINE_PROCESSOR_TIMEOUT_S", "60", "processor Lambda timeout"),
        SettingSpec(
            "PIPELINE_LAMBDA_RUNTIME",
            "",
            "Lambda runtime (default: the embedded emulator's Python, else python3.12)",
        ),
        SettingSpec("PIPELINE_LAMBDA_ARCH", "", "x86_64 or arm64 (default: this machine's)"),
        SettingSpec("PIPELINE_LOG_LEVEL", "INFO", "log level of the functions"),
        SettingSpec("PIPELINE_OUTPUTS_FILE", "", "where provisioning writes its outputs"),
        SettingSpec("MINISTACK_PORT", "4566", "port of the embedded emulator"),
        SettingSpec(
            "MINISTACK_AUTH", "true", "the embedded emulator checks signatures, IAM and CORS"
        ),
        SettingSpec("GALLERY_PORT", "3000", "port of the gallery"),
        SettingSpec(
            "PIPELINE_GALLERY_ON_ECS",
            "",
            "true: run the gallery on ECS Fargate (default: true on aws, false locally)",
        ),
        SettingSpec("PIPELINE_GALLERY_REPOSITORY", "sample-nextjs-app", "ECR repository"),
        SettingSpec("PIPELINE_GALLERY_IMAGE_TAG", "latest", "gallery image tag the task runs"),
        SettingSpec(
            "PIPELINE_GALLERY_ARCH",
            "",
            "x86_64 or arm64 for the gallery image and task (default: this machine's)",
        ),
        SettingSpec("PIPELINE_ECR_KEEP_IMAGES", "10", "images the repository keeps"),
        SettingSpec(
            "PIPELINE_ECR_IMMUTABLE_TAGS", "false", "true: a pushed tag can never be overwritten"
        ),
        SettingSpec("PIPELINE_ECS_CLUSTER", "sample-ecs-cluster", "ECS cluster"),
        SettingSpec("PIPELINE_ECS_TASK_FAMILY", "sample-nextjs-task", "task definition family"),
        SettingSpec("PIPELINE_ECS_SERVICE", "sample-nextjs-service", "ECS service"),
        SettingSpec("PIPELINE_ECS_CPU", "256", "task CPU units (1024 = one vCPU)"),
        SettingSpec("PIPELINE_ECS_MEMORY_MB", "512", "task memory"),
        SettingSpec("PIPELINE_ECS_DESIRED_COUNT", "1", "gallery tasks kept running"),
        SettingSpec(
            "PIPELINE_GALLERY_LOAD_BALANCER",
            "false",
            "true: an Application Load Balancer on port 80 in front of the service",
        ),
    ]
}


def _machine_architecture() -> str:
    return "arm64" if platform.machine().lower() in ("aarch64", "arm64") else "x86_64"


@dataclass(frozen=True)
class Settings:
    """The resolved settings of one run; build it with `load_settings`."""

    target: Target
    region: str
    endpoint_url: str | None
    public_endpoint_url: str | None
    uploads_bucket: str
    thumbnails_bucket: str
    table_name: str
    queue_name: str
    dlq_name: str
    processor_function: str
    api_function: str
    api_name: str
    layer_name: str
    trigger: Literal["queue", "direct"]
    bundle_dependencies: bool
    api_front: ApiFront
    thumbnail_sizes: tuple[int, ...]
    max_upload_bytes: int
    max_pixels: int
    url_expiry_s: int
    allowed_origins: tuple[str, ...]
    public_thumbnails: bool
    list_shards: int
    upload_prefix: str
    batch_size: int
    max_concurrency: int
    max_receive_count: int
    processor_memory_mb: int
    processor_timeout_s: int
    lambda_runtime: str
    lambda_arch: str
    log_level: str
    outputs_file: Path
    ministack_port: int
    ministack_auth: bool
    gallery_port: int
    gallery_on_ecs: bool
    gallery_repository: str
    gallery_image_tag: str
    gallery_arch: str
    ecr_keep_images: int
    ecr_immutable_tags: bool
    ecs_cluster: str
    ecs_task_family: str
    ecs_service: str
    ecs_cpu: int
    ecs_memory_mb: int
    ecs_desired_count: int
    gallery_load_balancer: bool
    tags: dict[str, str] = field(default_factory=lambda: {"project": "image-pipeline"})


def _read(env: Mapping[str, str], variable: str) -> str:
    value = env.get(variable)
    return SPECS[variable].default if value is None else value


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _is_true(env: Mapping[str, str], variable: str) -> bool:
    return _read(env, variable).lower() == "true"


def _allowed_origins(env: Mapping[str, str]) -> tuple[str, ...]:
    """The gallery's origins: as set, or the local gallery's at whatever port it runs on."""
    explicit = _split(_read(env, "PIPELINE_ALLOWED_ORIGINS"))
    if explicit:
        return explicit
    port = _read(env, "GALLERY_PORT")
    return (f"http://localhost:{port}", f"http://127.0.0.1:{port}")


def load_settings(
    target: Target = "local",
    environ: Mapping[str, str] | None = None,
    lambda_runtime: str | None = None,
) -> Settings:
    """Resolve every setting for `target` from `environ` (the process environment by default).

    `lambda_runtime` is the runtime that will really execute the functions
    when the caller knows it (the embedded emulator runs its own Python).
    """
    env = os.environ if environ is None else environ
    endpoint = _read(env, "AWS_ENDPOINT_URL") if target == "local" else env.get("AWS_ENDPOINT_URL")
    prefix = _read(env, "PIPELINE_NAME_PREFIX")
    trigger = _read(env, "PIPELINE_TRIGGER")
    if trigger not in ("queue", "direct"):
        raise ValueError(f"PIPELINE_TRIGGER must be queue or direct, not {trigger!r}")
    api_front = _read(env, "PIPELINE_API_FRONT")
    if api_front not in API_FRONTS:
        raise ValueError(f"PIPELINE_API_FRONT must be http-api or function-url, not {api_front!r}")
    outputs = _read(env, "PIPELINE_OUTPUTS_FILE") or str(SANDBOX_DIR / f"outputs-{target}.json")
    runtime = _read(env, "PIPELINE_LAMBDA_RUNTIME") or lambda_runtime or "python3.12"
    # The gallery runs on ECS on the aws target unless told otherwise; locally it runs beside us.
    gallery_on_ecs = _read(env, "PIPELINE_GALLERY_ON_ECS") or str(target == "aws")

    return Settings(
        target=target,
        region=_read(env, "AWS_DEFAULT_REGION"),
        endpoint_url=endpoint or None,
        public_endpoint_url=_read(env, "PIPELINE_PUBLIC_ENDPOINT_URL") or endpoint or None,
        uploads_bucket=prefix + _read(env, "PIPELINE_UPLOADS_BUCKET"),
        thumbnails_bucket=prefix + _read(env, "PIPELINE_THUMBNAILS_BUCKET"),
        table_name=_read(env, "PIPELINE_TABLE_NAME"),
        queue_name=_read(env, "PIPELINE_QUEUE_NAME"),
        dlq_name=_read(env, "PIPELINE_DLQ_NAME"),
        processor_function=_read(env, "PIPELINE_PROCESSOR_FUNCTION"),
        api_function=_read(env, "PIPELINE_API_FUNCTION"),
        api_name=_read(env, "PIPELINE_API_NAME"),
        layer_name=_read(env, "PIPELINE_LAYER_NAME"),
        trigger=trigger,  # type: ignore[arg-type]
        bundle_dependencies=_is_true(env, "PIPELINE_BUNDLE_DEPENDENCIES"),
        api_front=api_front,  # type: ignore[arg-type]
        thumbnail_sizes=tuple(int(size) for size in _split(_read(env, "PIPELINE_THUMBNAIL_SIZES"))),
        max_upload_bytes=int(_read(env, "PIPELINE_MAX_UPLOAD_BYTES")),
        max_pixels=int(_read(env, "PIPELINE_MAX_PIXELS")),
        url_expiry_s=int(_read(env, "PIPELINE_URL_EXPIRY_S")),
        allowed_origins=_allowed_origins(env),
        public_thumbnails=_read(env, "PIPELINE_PUBLIC_THUMBNAILS").lower() == "true",
        list_shards=int(_read(env, "PIPELINE_LIST_SHARDS")),
        upload_prefix=_read(env, "PIPELINE_UPLOAD_PREFIX"),
        batch_size=int(_read(env, "PIPELINE_BATCH_SIZE")),
        max_concurrency=int(_read(env, "PIPELINE_MAX_CONCURRENCY")),
        max_receive_count=int(_read(env, "PIPELINE_MAX_RECEIVE_COUNT")),
        processor_memory_mb=int(_read(env, "PIPELINE_PROCESSOR_MEMORY_MB")),
        processor_timeout_s=int(_read(env, "PIPELINE_PROCESSOR_TIMEOUT_S")),
        lambda_runtime=runtime,
        lambda_arch=_read(env, "PIPELINE_LAMBDA_ARCH") or _machine_architecture(),
        log_level=_read(env, "PIPELINE_LOG_LEVEL"),
        outputs_file=Path(outputs),
        ministack_port=int(_read(env, "MINISTACK_PORT")),
        ministack_auth=_read(env, "MINISTACK_AUTH").lower() == "true",
        gallery_port=int(_read(env, "GALLERY_PORT")),
        gallery_on_ecs=gallery_on_ecs.lower() == "true",
        gallery_repository=_read(env, "PIPELINE_GALLERY_REPOSITORY"),
        gallery_image_tag=_read(env, "PIPELINE_GALLERY_IMAGE_TAG"),
        gallery_arch=_read(env, "PIPELINE_GALLERY_ARCH") or _machine_architecture(),
        ecr_keep_images=int(_read(env, "PIPELINE_ECR_KEEP_IMAGES")),
        ecr_immutable_tags=_is_true(env, "PIPELINE_ECR_IMMUTABLE_TAGS"),
        ecs_cluster=_read(env, "PIPELINE_ECS_CLUSTER"),
        ecs_task_family=_read(env, "PIPELINE_ECS_TASK_FAMILY"),
        ecs_service=_read(env, "PIPELINE_ECS_SERVICE"),
        ecs_cpu=int(_read(env, "PIPELINE_ECS_CPU")),
        ecs_memory_mb=int(_read(env, "PIPELINE_ECS_MEMORY_MB")),
        ecs_desired_count=int(_read(env, "PIPELINE_ECS_DESIRED_COUNT")),
        gallery_load_balancer=_is_true(env, "PIPELINE_GALLERY_LOAD_BALANCER"),
    )


def function_environment(settings: Settings, service: str) -> dict[str, str]:
    """Return the variables provisioning sets on a function; lambdas/config.py reads them."""
    variables = {
        "POWERTOOLS_SERVICE_NAME": service,
        "POWERTOOLS_LOG_LEVEL": settings.log_level,
        "PIPELINE_TABLE_NAME": settings.table_name,
        "PIPELINE_UPLOADS_BUCKET": settings.uploads_bucket,
        "PIPELINE_THUMBNAILS_BUCKET": settings.thumbnails_bucket,
        "PIPELINE_THUMBNAIL_SIZES": ",".join(str(size) for size in settings.thumbnail_sizes),
        "PIPELINE_MAX_UPLOAD_BYTES": str(settings.max_upload_bytes),
        "PIPELINE_MAX_PIXELS": str(settings.max_pixels),
        "PIPELINE_URL_EXPIRY_S": str(settings.url_expiry_s),
        "PIPELINE_ALLOWED_ORIGINS": ",".join(settings.allowed_origins),
        "PIPELINE_LIST_SHARDS": str(settings.list_shards),
        "PIPELINE_UPLOAD_PREFIX": settings.upload_prefix,
        "PIPELINE_PUBLIC_THUMBNAILS": str(settings.public_thumbnails).lower(),
    }
    if settings.public_endpoint_url:
        variables["PIPELINE_PUBLIC_ENDPOINT_URL"] = settings.public_endpoint_url
    return variables


def gallery_log_group(settings: Settings) -> str:
    """Name the log group of the gallery's ECS tasks."""
    return f"/ecs/{settings.ecs_task_family}"
