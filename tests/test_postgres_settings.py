"""The PostgreSQL target's configuration, names and type mapping (no server needed)."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from smartcity import settings as paths
from warehouse.targets.postgres.connection import (
    PostgresSettings,
    PostgresTargetError,
    build_key,
    build_schema,
    old_schema,
)
from warehouse.targets.postgres.load import postgres_type
from warehouse.targets.postgres.roles import scram_verifier


def test_default_target_is_duckdb(monkeypatch):
    monkeypatch.delenv("SMARTCITY_WAREHOUSE", raising=False)
    assert paths.warehouse_target() == "duckdb"
    monkeypatch.setenv("SMARTCITY_WAREHOUSE", " PostgreS ")
    assert paths.warehouse_target() == "postgres"
    monkeypatch.setenv("SMARTCITY_WAREHOUSE", "sqlite")
    with pytest.raises(ValueError, match="expected one of duckdb, postgres"):
        paths.warehouse_target()


def test_settings_from_a_dsn_overridden_field_by_field():
    env = {
        "SMARTCITY_PG_DSN": "postgresql://pipe:s3cret@db.internal:6543/warehouse?sslmode=require",
        "SMARTCITY_PG_HOST": "replica.internal",
    }
    settings = PostgresSettings.from_env(env)
    assert (settings.host, settings.port, settings.dbname, settings.user, settings.sslmode) == (
        "replica.internal", 6543, "warehouse", "pipe", "require",
    )
    assert settings.password == "s3cret"
    assert "s3cret" not in repr(settings) and "s3cret" not in settings.describe()
    assert settings.dbt_env()["SMARTCITY_PG_HOST"] == "replica.internal"
    assert settings.dbt_env()["SMARTCITY_PG_PASSWORD"] == "s3cret"


def test_settings_defaults_and_errors():
    settings = PostgresSettings.from_env({})
    assert (settings.host, settings.port, settings.dbname, settings.user) == (
        "localhost", 5432, "planning", "smartcity_pipeline",
    )
    assert settings.reader_role == "planning_reader" and settings.password == ""
    with pytest.raises(PostgresTargetError, match="not a valid connection string"):
        PostgresSettings.from_env({"SMARTCITY_PG_DSN": "host=x password='unterminated"})
    with pytest.raises(PostgresTargetError, match="not a plain role name"):
        PostgresSettings.from_env({"SMARTCITY_PG_READER_ROLE": "reader; drop table x"})


def test_build_schema_names_are_short_and_stable():
    run_id = "manual__2026-11-29T02:35:00.123456+00:00"
    key = build_key(run_id)
    assert key == build_key(run_id) != build_key(run_id + "x")
    assert len(build_schema("intermediate", key)) <= 63
    assert build_schema("marts", key) == f"marts__build_{key}"
    assert old_schema("marts", key) == f"marts__old_{key}"


@pytest.mark.parametrize(
    ("duckdb_type", "expected"),
    [
        ("VARCHAR", ("varchar", False)),
        ("SMALLINT", ("smallint", False)),
        ("BIGINT", ("bigint", False)),
        ("DOUBLE", ("double precision", False)),
        ("DATE", ("date", False)),
        ("TIMESTAMP WITH TIME ZONE", ("timestamptz", False)),
        ("DECIMAL(18,3)", ("numeric(18,3)", False)),
        ("JSON", ("jsonb", True)),
        ("VARCHAR[]", ("jsonb", True)),
        ("STRUCT(a INTEGER)", ("jsonb", True)),
        ("BOOLEAN", ("boolean", False)),
    ],
)
def test_duckdb_types_map_to_postgres(duckdb_type, expected):
    assert postgres_type(duckdb_type) == expected


def test_scram_verifier_is_what_postgres_checks():
    verifier = scram_verifier("correct horse", iterations=4096)
    method, rest = verifier.split("$", 1)
    iterations_salt, keys = rest.split("$")
    iterations, salt = iterations_salt.split(":")
    stored_key, server_key = (base64.b64decode(k) for k in keys.split(":"))
    salted = hashlib.pbkdf2_hmac("sha256", b"correct horse", base64.b64decode(salt), int(iterations))
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    assert method == "SCRAM-SHA-256" and iterations == "4096"
    assert stored_key == hashlib.sha256(client_key).digest()
    assert server_key == hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    assert "correct horse" not in verifier and scram_verifier("correct horse") != verifier
