"""claim leases: a claim expires, and another reviewer may then take the case over

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Every claim made before this revision gets the default lease (30 minutes) counted
from when it was made, so claims left behind before the upgrade become stale at
once and their cases can be taken over: that is the defect this revision fixes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# the default lease of riskrules.review.store.Store (DEFAULT_CLAIM_LEASE), fixed here:
# a migration must not change when the code's default does
_LEASE_MINUTES = 30


def _plus_lease(column: str) -> str:
    if op.get_bind().dialect.name == "postgresql":
        return f"{column} + interval '{_LEASE_MINUTES} minutes'"
    # SQLite keeps naive UTC text in SQLAlchemy's format, 'YYYY-MM-DD HH:MM:SS.ffffff';
    # strftime's %f would round the microseconds to milliseconds, so they are carried over
    return f"strftime('%Y-%m-%d %H:%M:%S', {column}, '+{_LEASE_MINUTES} minutes') || substr({column}, 20)"


def upgrade() -> None:
    with op.batch_alter_table("review_claim") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("end_reason", sa.String(length=16), nullable=True))
    op.execute(f"UPDATE review_claim SET expires_at = {_plus_lease('claimed_at')}")
    with op.batch_alter_table("review_claim") as batch:
        batch.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.create_check_constraint(
            "end_reason", "end_reason IN ('released', 'forced', 'verdict', 'expired')"
        )

    with op.batch_alter_table("review_case") as batch:
        batch.add_column(sa.Column("claim_expires_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE review_case SET claim_expires_at = (SELECT c.expires_at FROM review_claim c"
        " WHERE c.case_id = review_case.id AND c.released_at IS NULL) WHERE status = 'claimed'"
    )


def downgrade() -> None:
    with op.batch_alter_table("review_case") as batch:
        batch.drop_column("claim_expires_at")
    with op.batch_alter_table("review_claim") as batch:
        batch.drop_constraint("end_reason", type_="check")
        batch.drop_column("end_reason")
        batch.drop_column("expires_at")
