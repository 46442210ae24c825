"""Alembic environment of the review store.

Migrations run programmatically (``riskrules.review.store.migrate``), on a
connection handed over in ``config.attributes["connection"]``; there is no
alembic.ini and no logging setup here, so opening a store never reconfigures the
host application's logging.
"""

from __future__ import annotations

from alembic import context

from riskrules.review.store.migrate import VERSION_TABLE
from riskrules.review.store.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run review-store migrations through riskrules.review.store.migrate")

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
