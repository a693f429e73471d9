"""docker-compose.yml and the Dockerfile: the services are there, with healthchecks and volumes, and every
SCHEMAREG_* variable they set is one the server reads."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from schemareg_api.settings import ENV_VARS

ROOT = Path(__file__).resolve().parents[2]
# Variables honoured as their ecosystems define them (DESIGN.md), not server settings.
ECOSYSTEM = re.compile(r"(AWS_\w+|DATABASE_URL|GITHUB_TOKEN|GITHUB_REPOSITORY|PYTHON\w+|POSTGRES_\w+)")


def compose() -> dict[str, object]:
    document: dict[str, object] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


def test_services_healthchecks_and_volumes() -> None:
    document = compose()
    services = document["services"]
    assert isinstance(services, dict)
    assert set(services) == {"registry", "postgres", "seaweedfs"}
    for name, service in services.items():
        assert "healthcheck" in service and service["healthcheck"]["test"], name
        assert service.get("volumes"), name
    registry = services["registry"]
    assert registry["build"] == "."
    assert {"postgres", "seaweedfs"} <= set(registry["depends_on"])
    assert all(dep["condition"] == "service_healthy" for dep in registry["depends_on"].values())
    assert "/readyz" in " ".join(registry["healthcheck"]["test"])
    named = {volume.split(":", 1)[0] for service in services.values() for volume in service["volumes"]}
    assert named <= set(document["volumes"])  # type: ignore[arg-type]


def test_environment_names_exist_in_the_settings() -> None:
    registry = compose()["services"]["registry"]  # type: ignore[index]
    names = set(registry["environment"])
    schemareg = {name for name in names if name.startswith("SCHEMAREG_")}
    assert schemareg and schemareg <= set(ENV_VARS), schemareg - set(ENV_VARS)
    assert all(ECOSYSTEM.fullmatch(name) for name in names - schemareg), names - schemareg
    assert {"SCHEMAREG_DATA_DIR", "SCHEMAREG_HOST", "SCHEMAREG_PORT", "SCHEMAREG_TOKENS"} <= names


def test_dockerfile_serves_with_known_settings() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["schemareg", "serve"]' in text
    assert "git" in text  # git clone over HTTP and gc need the git client
    for name in re.findall(r"\b(SCHEMAREG_\w+)=", text):
        assert name in ENV_VARS, name
