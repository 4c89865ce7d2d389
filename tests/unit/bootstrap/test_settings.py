"""Settings resolve from one contract: defaults, overrides, target-specific parts."""

from pathlib import Path

import pytest

from bootstrap.settings import SPECS, function_environment, load_settings
from lambdas.config import load_config

README = Path(__file__).resolve().parents[3] / "README.md"


def test_defaults_are_the_tutorials_names() -> None:
    settings = load_settings("local", {})

    assert settings.uploads_bucket == "sample-image-uploads-bucket"
    assert settings.thumbnails_bucket == "sample-thumbnails-bucket"
    assert settings.table_name == "image_metadata"
    assert settings.processor_function == "image-processor"
    assert settings.api_name == "image-gallery-api"
    assert settings.endpoint_url == "http://127.0.0.1:4566"
    assert settings.thumbnail_sizes == (200,)


def test_allowed_origins_follow_the_gallery_port_unless_set() -> None:
    moved = load_settings("local", {"GALLERY_PORT": "3099"})
    explicit = load_settings("local", {"PIPELINE_ALLOWED_ORIGINS": "https://gallery.example"})

    assert moved.allowed_origins == ("http://localhost:3099", "http://127.0.0.1:3099")
    assert explicit.allowed_origins == ("https://gallery.example",)


def test_aws_target_has_no_endpoint_unless_one_is_set() -> None:
    settings = load_settings("aws", {})

    assert settings.endpoint_url is None
    assert settings.public_endpoint_url is None
    assert settings.lambda_runtime == "python3.12"


def test_prefix_applies_to_bucket_names_only() -> None:
    settings = load_settings("aws", {"PIPELINE_NAME_PREFIX": "123456789012-"})

    assert settings.uploads_bucket == "123456789012-sample-image-uploads-bucket"
    assert settings.thumbnails_bucket == "123456789012-sample-thumbnails-bucket"
    assert settings.table_name == "image_metadata"


def test_runtime_of_the_executing_emulator_wins_over_the_default() -> None:
    assert load_settings("local", {}, lambda_runtime="python3.11").lambda_runtime == "python3.11"
    explicit = load_settings("local", {"PIPELINE_LAMBDA_RUNTIME": "python3.13"}, "python3.11")
    assert explicit.lambda_runtime == "python3.13"


def test_unknown_trigger_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="PIPELINE_TRIGGER must be queue or direct, not 'sns'"):
        load_settings("local", {"PIPELINE_TRIGGER": "sns"})


def test_function_environment_round_trips_through_the_functions_config() -> None:
    settings = load_settings(
        "local",
        {"PIPELINE_THUMBNAIL_SIZES": "200, 800", "PIPELINE_PUBLIC_ENDPOINT_URL": "http://host:1"},
    )

    config = load_config(function_environment(settings, "image-api"))

    assert config.thumbnail_sizes == (200, 800)
    assert config.table_name == settings.table_name
    assert config.uploads_bucket == settings.uploads_bucket
    assert config.public_endpoint_url == "http://host:1"
    assert config.allowed_origins == settings.allowed_origins
    assert config.max_upload_bytes == settings.max_upload_bytes


@pytest.mark.parametrize("variable", sorted(SPECS))
def test_every_setting_is_documented_in_the_readme(variable: str) -> None:
    assert f"| `{variable}` |" in README.read_text()
