"""Database URLs, engines and error translation.

SQLite is the embedded default (a file next to the user's work); PostgreSQL is for
teams. The two need different care to make ``claim_next`` safe:

* PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` does the work.
* SQLite: pysqlite normally defers ``BEGIN`` until the first INSERT/UPDATE, so two
  claimers could both read the same open case before either writes. We switch the
  driver's own transaction handling off and emit ``BEGIN IMMEDIATE`` ourselves, which
  takes the write lock up front, so writers queue (busy timeout) instead of racing.
  Read-only work asks for a plain deferred ``BEGIN`` and, thanks to WAL, never waits.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import decimal
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Engine
from sqlalchemy.pool import StaticPool

from .errors import (
    AuditLogImmutable,
    DatabaseUnavailable,
    IntegrityViolation,
    InvalidData,
    InvalidURL,
    StoreBusy,
    StoreError,
)

BUSY_TIMEOUT_S = 30.0
PG_CONNECT_TIMEOUT_S = 10
READ_ONLY = "riskrules_read_only"  # execution option: deferred BEGIN on SQLite

_PG_DRIVERS = {"postgres", "postgresql", "postgresql+psycopg", "postgresql+psycopg2", "postgresql+pg8000"}
_SQLITE_DRIVERS = {"sqlite", "sqlite+pysqlite"}


def normalize_url(url: str | URL | Path) -> URL:
    """Parse ``url`` and pin the driver: psycopg 3 for PostgreSQL, pysqlite for SQLite.

    A bare path (no ``://``) is taken as a SQLite file.

    >>> normalize_url("postgresql://u@db/risk").drivername
    'postgresql+psycopg'
    >>> normalize_url("review.db").render_as_string()
    'sqlite+pysqlite:///review.db'
    """
    if isinstance(url, Path) or (isinstance(url, str) and "://" not in url and url.strip()):
        return URL.create("sqlite+pysqlite", database=str(url))
    try:
        parsed = sa.make_url(url)
    except (exc.ArgumentError, ValueError, TypeError) as error:
        raise InvalidURL(f"cannot parse database URL {url!r}: {error}") from None
    driver = parsed.drivername
    if driver in _PG_DRIVERS:
        if not parsed.database:
            raise InvalidURL(f"PostgreSQL URL {_safe(parsed)} names no database")
        return parsed.set(drivername="postgresql+psycopg")
    if driver in _SQLITE_DRIVERS:
        return parsed.set(drivername="sqlite+pysqlite")
    raise InvalidURL(
        f"unsupported database {driver!r} in {_safe(parsed)}: "
        "use sqlite:///path/to/review.db or postgresql://user@host/dbname"
    )


def _safe(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def is_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _json_default(value: Any) -> Any:
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")  # its digits, never exponent form: 0.00000000, not 0E-8
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class Serialized(str):
    """JSON text already made by :func:`dumps`: the column writes it as it is."""


def dumps(value: Any) -> str:
    """JSON for the JSON columns: dates as ISO strings, Decimals as strings."""
    if isinstance(value, Serialized):
        return value
    return json.dumps(value, default=_json_default, ensure_ascii=False, allow_nan=False)


def serialized(value: Any, what: str) -> Serialized:
    """``value`` as JSON text, checked once (bulk writes that return no rows)."""
    try:
        return Serialized(dumps(value))
    except (TypeError, ValueError) as error:
        raise InvalidData(f"{what} is not JSON: {error}") from None


def jsonable(value: Any, what: str) -> Any:
    """``value`` as it will come back from a JSON column, or :class:`InvalidData`.

    Checked before writing because psycopg serialises inside the driver, where a
    TypeError would escape untranslated; it also makes the returned row equal the
    stored one (dates already ISO strings).
    """
    return json.loads(serialized(value, what))


def create_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    connect_args = {} if "connect_timeout" in url.query else {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    return sa.create_engine(url, json_serializer=dumps, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_engine(url: URL) -> Engine:
    kwargs: dict[str, Any] = {"json_serializer": dumps}
    if is_memory(url):
        # one shared connection: a :memory: database is per connection. Single-threaded use only.
        kwargs |= {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}
    engine = sa.create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # hand transaction control to SQLAlchemy (see the module docstring)
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not is_memory(url):
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def describe(url: URL) -> str:
    return _safe(url)


@contextlib.contextmanager
def translate_errors(url: URL) -> Iterator[None]:
    """Turn SQLAlchemy/driver exceptions into :class:`StoreError` subclasses."""
    try:
        yield
    except StoreError:
        raise
    except exc.StatementError as error:
        raise _translate(error, url) from error
    except exc.SQLAlchemyError as error:
        raise StoreError(f"database error on {_safe(url)}: {error}") from error


def _translate(error: exc.StatementError, url: URL) -> StoreError:
    original = getattr(error, "orig", None)
    message = str(original if original is not None else error).strip().splitlines()[0]
    if "append-only" in message:
        return AuditLogImmutable(f"the audit log is append-only: {message}")
    if isinstance(error, exc.IntegrityError):
        return IntegrityViolation(f"database refused the write: {message}")
    if isinstance(error, exc.OperationalError):
        lowered = message.lower()
        if "locked" in lowered or "busy" in lowered:
            return StoreBusy(f"{_safe(url)} stayed locked for {BUSY_TIMEOUT_S:.0f}s: {message}")
        if error.connection_invalidated or _is_connect_error(lowered):
            return DatabaseUnavailable(f"cannot reach {_safe(url)}: {message}")
    if isinstance(error, exc.DBAPIError):
        return StoreError(f"database error on {_safe(url)}: {message}")
    if isinstance(original, (TypeError, ValueError)):
        return InvalidData(str(original))
    return StoreError(f"cannot run statement on {_safe(url)}: {message}")


def _is_connect_error(message: str) -> bool:
    markers = ("connection", "could not", "unable to open", "timeout", "server closed", "no such host")
    return any(m in message for m in markers)
