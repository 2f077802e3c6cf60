"""The PostgreSQL target's connection settings, and the names of a run's schemas.

Selected with ``SMARTCITY_WAREHOUSE=postgres``. The connection comes from
``SMARTCITY_PG_DSN`` (a libpq connection string or ``postgresql://`` URL) and/or the
individual ``SMARTCITY_PG_*`` variables, which override the DSN field by field. No
password is ever written to a file by this project; libpq's ``PGPASSFILE`` /
``~/.pgpass`` work too when ``SMARTCITY_PG_PASSWORD`` is not set.

A run builds into its own schemas, one per published schema with a suffix
(``raw__build_<key>``, ``marts__build_<key>``, ...; ``<key>`` is derived from the run id),
and the publish step renames them to the published names (``raw``, ``marts``, ``meta``,
...) in one transaction (``warehouse.targets.postgres.publish``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from smartcity import settings

if TYPE_CHECKING:
    import psycopg

DSN_ENV = settings.PG_DSN
FIELD_ENV = settings.PG_FIELDS
DEFAULTS = settings.PG_DEFAULTS
READER_ROLE_ENV = settings.PG_READER_ROLE
DEFAULT_READER_ROLE = settings.DEFAULT_PG_READER_ROLE
DEFAULT_SWAP_TIMEOUT_S = settings.DEFAULT_PG_SWAP_TIMEOUT_S

BUILD_MARK = "__build_"
OLD_MARK = "__old_"
# schemas of the published release that readers may see
READER_SCHEMAS = ("marts", "meta")
APPLICATION_NAME = "smartcity-warehouse"

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresTargetError(RuntimeError):
    """The PostgreSQL target is misconfigured or cannot be used."""


@dataclasses.dataclass(frozen=True)
class PostgresSettings:
    host: str
    port: int
    dbname: str
    user: str
    password: str = dataclasses.field(default="", repr=False)
    sslmode: str = "prefer"
    reader_role: str = DEFAULT_READER_ROLE
    swap_timeout_s: float = DEFAULT_SWAP_TIMEOUT_S

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PostgresSettings:
        """Settings from ``SMARTCITY_PG_DSN`` overridden by the ``SMARTCITY_PG_*`` variables."""
        fields = dict(DEFAULTS)
        dsn = settings.pg_dsn(env)
        if dsn:
            from psycopg.conninfo import conninfo_to_dict

            try:
                parsed = conninfo_to_dict(dsn)
            except Exception as exc:  # psycopg.ProgrammingError; never echo the DSN (password)
                raise PostgresTargetError(f"{DSN_ENV} is not a valid connection string") from exc
            for name in fields:
                if parsed.get(name) not in (None, ""):
                    fields[name] = str(parsed[name])
        fields.update(settings.pg_fields(env))
        reader = settings.pg_reader_role(env)
        if not _ROLE.match(reader):
            raise PostgresTargetError(f"{READER_ROLE_ENV} {reader!r} is not a plain role name")
        try:
            port = int(fields["port"])
            swap_timeout = settings.pg_swap_timeout(env)
        except ValueError as exc:
            raise PostgresTargetError(f"bad PostgreSQL setting: {exc}") from exc
        return cls(
            host=fields["host"],
            port=port,
            dbname=fields["dbname"],
            user=fields["user"],
            password=fields["password"],
            sslmode=fields["sslmode"],
            reader_role=reader,
            swap_timeout_s=swap_timeout,
        )

    def conninfo(self, **overrides: object) -> str:
        from psycopg.conninfo import make_conninfo

        params: dict[str, object] = {
            "host": self.host,
            "port": self.port,
            "dbname": self.dbname,
            "user": self.user,
            "sslmode": self.sslmode,
            "application_name": APPLICATION_NAME,
            "connect_timeout": 30,
        }
        if self.password:
            params["password"] = self.password
        params.update(overrides)
        return make_conninfo(**{k: v for k, v in params.items() if v is not None})

    def connect(self, **kwargs: object) -> psycopg.Connection:
        """A new connection (not autocommit), with its time zone set to UTC."""
        import psycopg

        conn = psycopg.connect(self.conninfo(), **kwargs)
        conn.execute("set time zone 'UTC'")
        conn.commit()
        return conn

    def dbt_env(self) -> dict[str, str]:
        """The variables the dbt profile's ``postgres`` target reads."""
        values = {
            "host": self.host,
            "port": str(self.port),
            "dbname": self.dbname,
            "user": self.user,
            "password": self.password,
            "sslmode": self.sslmode,
        }
        return {FIELD_ENV[name]: value for name, value in values.items()}

    def dbt_output(self) -> dict[str, object]:
        """The values of the dbt profile's ``postgres`` output, but the password (which
        never goes into a file: the profile reads it from ``SMARTCITY_PG_PASSWORD``)."""
        return {
            "host": self.host,
            "port": self.port,
            "dbname": self.dbname,
            "user": self.user,
            "sslmode": self.sslmode,
        }

    def dbt_secrets(self) -> dict[str, str]:
        """The variables holding what ``dbt_output`` leaves out."""
        return {FIELD_ENV["password"]: self.password} if self.password else {}

    def describe(self) -> str:
        """Where the warehouse is, for logs and messages (no password)."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}"


# --- schema names of a run -------------------------------------------------------------


def build_key(run_id: str) -> str:
    """A short, stable key for a run id (PostgreSQL names are at most 63 bytes)."""
    return hashlib.sha256(run_id.encode("utf-8")).hexdigest()[:12]


def build_suffix(key: str) -> str:
    return f"{BUILD_MARK}{key}"


def build_schema(name: str, key: str) -> str:
    return f"{name}{build_suffix(key)}"


def old_schema(name: str, key: str) -> str:
    return f"{name}{OLD_MARK}{key}"


def quote(identifier: str) -> str:
    """A quoted SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def schemas_with_suffix(conn: psycopg.Connection, suffix: str) -> list[str]:
    """Schemas whose name ends with ``suffix``, sorted."""
    rows = conn.execute(
        "select nspname from pg_namespace where right(nspname, length(%s)) = %s order by 1",
        [suffix, suffix],
    ).fetchall()
    return [row[0] for row in rows]


def schema_exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute(
        "select exists (select from pg_namespace where nspname = %s)", [name]
    ).fetchone()[0]


def drop_build_schemas(conn: psycopg.Connection, key: str) -> list[str]:
    """Drop every schema of the build ``key`` (a re-run of a run starts from nothing)."""
    from psycopg import sql

    doomed = schemas_with_suffix(conn, build_suffix(key))
    for name in doomed:
        conn.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(name)))
    return doomed


def drop_leftover_builds(conn: psycopg.Connection) -> list[str]:
    """Drop the schemas of every earlier build that was not published (failed or killed
    runs), like the DuckDB load removes old build files. Runs never overlap (one active
    run, one writer), so none of them is in use."""
    from psycopg import sql

    doomed = [
        row[0]
        for row in conn.execute(
            "select nspname from pg_namespace where nspname ~ %s order by 1",
            [f"({BUILD_MARK}|{OLD_MARK})[0-9a-f]{{12}}$"],
        ).fetchall()
    ]
    for name in doomed:
        conn.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(name)))
    return doomed
