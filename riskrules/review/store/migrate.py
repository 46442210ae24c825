"""Schema migrations, run in-process.

The alembic scripts ship inside the package (``migrations/``), so an installed
riskrules can upgrade a database without an alembic.ini or a checkout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from .models import metadata

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# our own version table, so the review store can share a database with other alembic users
VERSION_TABLE = "review_store_version"
# any constant will do: it only has to be the same for every process upgrading this schema
_PG_UPGRADE_LOCK = 0x5249534B52  # "RISKR"


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_table", VERSION_TABLE)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Upgrade to ``revision`` in one transaction; concurrent callers queue up."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_UPGRADE_LOCK})
        command.upgrade(alembic_config(connection), revision)


def schema_diff(engine: sa.Engine) -> list[Any]:
    """Differences between the live schema and the models (empty when in sync).

    The same comparison as ``alembic check``: a non-empty result means a model
    changed without a migration.
    """
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"version_table": VERSION_TABLE, "compare_type": True}
        )
        return list(compare_metadata(context, metadata))
