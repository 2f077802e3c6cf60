"""Roles of the PostgreSQL warehouse: the pipeline writes, the reader reads the release.

- The **pipeline role** (``SMARTCITY_PG_USER``, default ``smartcity_pipeline``) may
  connect and create schemas in the warehouse database. It owns every schema a run
  builds, and so can rename and drop them when it publishes.
- The **reader role** (``SMARTCITY_PG_READER_ROLE``, default ``planning_reader``) may
  connect and nothing else, except what each publish grants it: ``USAGE`` on the
  published ``marts`` and ``meta`` schemas and ``SELECT`` on their tables. It cannot
  create anything (no ``CREATE`` on the database or any schema, no temporary tables),
  cannot write, and cannot see the build schemas or the other published schemas.

``setup_roles`` is run once per database by an administrator (a superuser, or a role
with ``CREATEROLE`` that owns the database)::

    SMARTCITY_PG_ADMIN_DSN=postgresql://admin@db.example/planning \\
    SMARTCITY_PG_PASSWORD=... SMARTCITY_PG_READER_PASSWORD=... \\
        python -m warehouse.targets.postgres.roles

Passwords are sent as SCRAM-SHA-256 verifiers, never as clear text in a statement.
Running it again updates the passwords and privileges (it is idempotent).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import secrets
import sys
from collections.abc import Iterable

import psycopg
from psycopg import sql

from smartcity import settings as config
from warehouse.targets.postgres.connection import PostgresSettings

ADMIN_DSN_ENV = config.PG_ADMIN_DSN
READER_PASSWORD_ENV = config.PG_READER_PASSWORD
SCRAM_ITERATIONS = 4096


def scram_verifier(password: str, *, iterations: int = SCRAM_ITERATIONS) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``password`` (RFC 5802 / 7677)."""
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def _ensure_login_role(conn: psycopg.Connection, role: str, password: str | None) -> None:
    exists = conn.execute(
        "select exists (select from pg_roles where rolname = %s)", [role]
    ).fetchone()[0]
    statement = "alter role {} with login nosuperuser nocreatedb nocreaterole noreplication"
    if not exists:
        statement = "create role {} with login nosuperuser nocreatedb nocreaterole noreplication"
    if password:
        statement += " password {}"
        conn.execute(
            sql.SQL(statement).format(sql.Identifier(role), sql.Literal(scram_verifier(password)))
        )
    else:
        conn.execute(sql.SQL(statement).format(sql.Identifier(role)))


def setup_roles(
    conn: psycopg.Connection,
    *,
    database: str,
    pipeline_role: str,
    reader_role: str,
    pipeline_password: str | None = None,
    reader_password: str | None = None,
) -> None:
    """Create (or update) both roles and their database privileges; commits."""
    if pipeline_role == reader_role:
        raise ValueError("the pipeline and the reader must be different roles")
    _ensure_login_role(conn, pipeline_role, pipeline_password)
    _ensure_login_role(conn, reader_role, reader_password)
    db = sql.Identifier(database)
    pipeline, reader = sql.Identifier(pipeline_role), sql.Identifier(reader_role)
    statements = [
        # nobody but the named roles: no CONNECT or TEMPORARY through PUBLIC
        sql.SQL("revoke all on database {} from public").format(db),
        sql.SQL("grant connect, create, temporary on database {} to {}").format(db, pipeline),
        sql.SQL("revoke all on database {} from {}").format(db, reader),
        sql.SQL("grant connect on database {} to {}").format(db, reader),
        # PostgreSQL < 15 lets everyone create in `public`
        sql.SQL("revoke create on schema public from public"),
        sql.SQL("revoke all on schema public from {}").format(reader),
    ]
    for statement in statements:
        conn.execute(statement)
    conn.commit()


def grant_reader(conn: psycopg.Connection, reader_role: str, schemas: Iterable[str]) -> bool:
    """Let ``reader_role`` read the tables of ``schemas`` (within the caller's transaction).

    Returns False (and grants nothing) when the role does not exist.
    """
    exists = conn.execute(
        "select exists (select from pg_roles where rolname = %s)", [reader_role]
    ).fetchone()[0]
    if not exists:
        return False
    reader = sql.Identifier(reader_role)
    for schema in schemas:
        conn.execute(
            sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(schema), reader)
        )
        conn.execute(
            sql.SQL("grant select on all tables in schema {} to {}").format(
                sql.Identifier(schema), reader
            )
        )
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m warehouse.targets.postgres.roles",
        description=(
            f"Create or update the pipeline and reader roles. Connects as an administrator "
            f"through {ADMIN_DSN_ENV}; role names and passwords come from SMARTCITY_PG_USER, "
            f"SMARTCITY_PG_PASSWORD, SMARTCITY_PG_READER_ROLE and {READER_PASSWORD_ENV}."
        ),
    )
    parser.parse_args(argv)
    admin_dsn = config.pg_admin_dsn()
    if not admin_dsn:
        print(f"{ADMIN_DSN_ENV} is not set", file=sys.stderr)
        return 2
    settings = PostgresSettings.from_env()
    with psycopg.connect(admin_dsn) as conn:
        database = conn.info.dbname
        setup_roles(
            conn,
            database=database,
            pipeline_role=settings.user,
            reader_role=settings.reader_role,
            pipeline_password=settings.password or None,
            reader_password=config.pg_reader_password(),
        )
    print(
        f"roles ready in database {database}: pipeline {settings.user}, reader {settings.reader_role}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
