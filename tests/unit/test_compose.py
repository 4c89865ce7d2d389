"""docker-compose.yml, checked without Docker: its keys, images, mounts, ports and start order.

No Compose specification schema ships in a package we can install (the only
one, inside docker-compose 1.29, predates keys we use such as the top-level
`name`), so the file is validated against a focused schema of the keys we
use (tests/fixtures/compose-subset.schema.json).
"""

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bootstrap.settings import SPECS, load_settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SCHEMA_FILE = ROOT / "tests" / "fixtures" / "compose-subset.schema.json"
DOCKER_SOCKET = "/var/run/docker.sock:/var/run/docker.sock"

# Each profile: its emulator, the one-shot provisioner and the gallery.
PROFILES = {
    "localstack": ("localstack", "provision", "gallery"),
    "ministack": ("ministack", "provision-ministack", "gallery-ministack"),
}
PROFILE_IDS = list(PROFILES)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE_FILE.read_text()))


def _unset(value: str) -> str:
    """Interpolate `${NAME:-default}` as Compose does when NAME is not set."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def _service(compose: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(compose["services"][name])


def test_compose_file_matches_the_schema_of_the_keys_we_use(compose: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA_FILE.read_text())

    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(compose)


def test_schema_rejects_a_misspelt_key(compose: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    broken = {**compose, "services": {"gallery": {"image": "x", "depends_ons": {}}}}

    with pytest.raises(jsonschema.ValidationError, match="depends_ons"):
        jsonschema.validate(broken, schema, cls=jsonschema.Draft202012Validator)


def test_localstack_is_pinned_to_the_last_tag_that_needs_no_token(
    compose: dict[str, Any],
) -> None:
    image = _service(compose, "localstack")["image"]

    assert image == "${LOCALSTACK_IMAGE:-localstack/localstack:4.14.0}"
    assert _unset(image) == "localstack/localstack:4.14.0"


def test_ministack_image_is_the_official_one_with_a_pinned_tag(compose: dict[str, Any]) -> None:
    assert _unset(_service(compose, "ministack")["image"]) == "ministackorg/ministack:1.5.33"


def test_auth_token_passes_through_from_the_host(compose: dict[str, Any]) -> None:
    environment = _service(compose, "localstack")["environment"]

    assert environment["LOCALSTACK_AUTH_TOKEN"] == "${LOCALSTACK_AUTH_TOKEN:-}"


@pytest.mark.parametrize("emulator", ["localstack", "ministack"])
def test_emulator_mounts_the_docker_socket_for_lambda_containers(
    compose: dict[str, Any], emulator: str
) -> None:
    service = _service(compose, emulator)

    assert DOCKER_SOCKET in service["volumes"]
    assert compose["networks"]["pipeline"]["name"] == "image-pipeline"
    assert "image-pipeline" in service["environment"].values()


@pytest.mark.parametrize("emulator", ["localstack", "ministack"])
def test_emulator_keeps_its_data_in_a_named_volume(compose: dict[str, Any], emulator: str) -> None:
    named = [v.split(":")[0] for v in _service(compose, emulator)["volumes"]]

    assert f"{emulator}-data" in named
    assert f"{emulator}-data" in compose["volumes"]


@pytest.mark.parametrize("emulator", ["localstack", "ministack"])
def test_emulator_health_is_probed_on_the_health_endpoint(
    compose: dict[str, Any], emulator: str
) -> None:
    probe = " ".join(_service(compose, emulator)["healthcheck"]["test"])

    assert "http://localhost:4566/_localstack/health" in probe


@pytest.mark.parametrize("profile", PROFILE_IDS)
def test_provisioner_waits_for_a_healthy_emulator(compose: dict[str, Any], profile: str) -> None:
    emulator, provisioner, _ = PROFILES[profile]

    depends_on = _service(compose, provisioner)["depends_on"]

    assert depends_on == {emulator: {"condition": "service_healthy"}}


@pytest.mark.parametrize("profile", PROFILE_IDS)
def test_gallery_waits_for_provisioning_to_succeed(compose: dict[str, Any], profile: str) -> None:
    _, provisioner, gallery = PROFILES[profile]

    depends_on = _service(compose, gallery)["depends_on"]

    assert depends_on == {provisioner: {"condition": "service_completed_successfully"}}


@pytest.mark.parametrize("profile", PROFILE_IDS)
def test_provisioner_uses_the_network_name_and_signs_for_the_host(
    compose: dict[str, Any], profile: str
) -> None:
    emulator, provisioner, _ = PROFILES[profile]

    environment = _service(compose, provisioner)["environment"]

    assert environment["AWS_ENDPOINT_URL"] == f"http://{emulator}:4566"
    assert environment["PIPELINE_PUBLIC_ENDPOINT_URL"] == "http://localhost:4566"
    assert environment["PIPELINE_OUTPUTS_FILE"] == "/outputs/outputs.json"


def test_localstack_provisioner_runs_community_mode(compose: dict[str, Any]) -> None:
    environment = _service(compose, "provision")["environment"]
    resolved = {name: _unset(str(value)) for name, value in environment.items()}

    settings = load_settings("local", resolved)

    assert environment["PIPELINE_BUNDLE_DEPENDENCIES"] == "${PIPELINE_BUNDLE_DEPENDENCIES:-true}"
    assert environment["PIPELINE_API_FRONT"] == "${PIPELINE_API_FRONT:-function-url}"
    assert (settings.bundle_dependencies, settings.api_front) == (True, "function-url")


def test_ministack_provisioner_keeps_the_default_layer_and_http_api(
    compose: dict[str, Any],
) -> None:
    environment = _service(compose, "provision-ministack")["environment"]
    resolved = {name: _unset(str(value)) for name, value in environment.items()}

    settings = load_settings("local", resolved)

    assert "PIPELINE_BUNDLE_DEPENDENCIES" not in environment
    assert "PIPELINE_API_FRONT" not in environment
    assert (settings.bundle_dependencies, settings.api_front) == (False, "http-api")


def test_localstack_answers_on_the_network_for_the_api_function_url(
    compose: dict[str, Any],
) -> None:
    aliases = _service(compose, "localstack")["networks"]["pipeline"]["aliases"]
    function = SPECS["PIPELINE_API_FUNCTION"].default
    region = SPECS["AWS_DEFAULT_REGION"].default

    assert [_unset(alias) for alias in aliases] == [
        f"{function}.lambda-url.{region}.localhost.localstack.cloud"
    ]


@pytest.mark.parametrize("profile", PROFILE_IDS)
def test_provisioner_runs_the_same_provisioning_as_everyone(
    compose: dict[str, Any], profile: str
) -> None:
    service = _service(compose, PROFILES[profile][1])
    script = service["command"][-1]

    assert _unset(service["image"]) == "python:3.12-slim"
    assert "pip install --quiet -r /tmp/requirements.txt" in script
    assert script.rstrip().endswith("exec python bootstrap/provision.py --target local")
    assert "pipeline-outputs:/outputs" in service["volumes"]


@pytest.mark.parametrize("profile", PROFILE_IDS)
def test_gallery_reads_the_api_url_from_the_outputs_at_start(
    compose: dict[str, Any], profile: str
) -> None:
    gallery = _service(compose, PROFILES[profile][2])

    assert gallery["build"] == {"context": "./frontend", "dockerfile": "Dockerfile"}
    assert "pipeline-outputs:/outputs:ro" in gallery["volumes"]
    assert "GALLERY_API_URL=" in gallery["entrypoint"][2]
    assert gallery["command"] == ["node", "server.js"]


def test_every_published_port_is_bound_to_loopback(compose: dict[str, Any]) -> None:
    published = {name: service.get("ports", []) for name, service in compose["services"].items()}

    assert published == {
        "localstack": ["127.0.0.1:4566:4566"],
        "provision": [],
        "gallery": ["127.0.0.1:3000:3000"],
        "ministack": ["127.0.0.1:4566:4566"],
        "provision-ministack": [],
        "gallery-ministack": ["127.0.0.1:3000:3000"],
    }


def test_each_service_belongs_to_exactly_one_profile(compose: dict[str, Any]) -> None:
    profiles = {name: service.get("profiles") for name, service in compose["services"].items()}

    assert profiles == {name: [profile] for profile, names in PROFILES.items() for name in names}


def test_localstack_profile_is_the_default_and_a_profile_flag_replaces_it() -> None:
    settings = dict(
        line.split("=", 1)
        for line in (ROOT / ".env").read_text().splitlines()
        if line and not line.startswith("#")
    )

    assert settings == {"COMPOSE_PROFILES": "localstack"}
