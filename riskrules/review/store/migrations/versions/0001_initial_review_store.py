"""initial review store: decision log, cases, claims, verdicts, notes, proposals,
outcomes and the append-only audit log

Revision ID: 0001
Revises: 
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The audit log is append-only in the database itself, not only in the store API:
# a stray UPDATE/DELETE from a psql session or another program fails too.
_PG_APPEND_ONLY = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % rejected', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""
_PG_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log"
    " FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
)
_SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER audit_log_no_{op_name.lower()} BEFORE {op_name} ON audit_log"
    f" BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: {op_name} rejected'); END"
    for op_name in ("UPDATE", "DELETE")
)


def _create_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in (_PG_APPEND_ONLY, *_PG_TRIGGERS):
            op.execute(statement)
    elif dialect == "sqlite":
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def _drop_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")


def upgrade() -> None:
    op.create_table("audit_log",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(length=128), nullable=False),
    sa.Column("action", sa.String(length=64), nullable=False),
    sa.Column("entity", sa.String(length=64), nullable=False),
    sa.Column("entity_id", sa.String(length=64), nullable=False),
    sa.Column("detail", sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log"))
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"], unique=False)
    _create_append_only_triggers()

    op.create_table("decision_log",
    sa.Column("id", sa.String(length=64), nullable=False),
    sa.Column("ruleset", sa.String(length=128), nullable=False),
    sa.Column("version", sa.String(length=64), nullable=False),
    sa.Column("digest", sa.String(length=128), nullable=False),
    sa.Column("outcome", sa.String(length=64), nullable=False),
    sa.Column("score", sa.Float(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("input", sa.JSON(), nullable=False),
    sa.Column("decision", sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_log"))
    )
    op.create_index("ix_decision_log_ruleset_created_at", "decision_log", ["ruleset", "created_at"], unique=False)

    op.create_table("outcome",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("decision_id", sa.String(length=64), nullable=False),
    sa.Column("label", sa.String(length=64), nullable=False),
    sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome")),
    sa.UniqueConstraint("decision_id", "label", name=op.f("uq_outcome_decision_id_label"))
    )
    op.create_index("ix_outcome_decision_id", "outcome", ["decision_id"], unique=False)

    op.create_table("rule_proposal",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("ruleset", sa.String(length=128), nullable=False),
    sa.Column("expression", sa.Text(), nullable=False),
    sa.Column("action", sa.String(length=64), nullable=True),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("proposed_by", sa.String(length=128), nullable=False),
    sa.Column("promoted_by", sa.String(length=128), nullable=True),
    sa.Column("provenance", sa.JSON(), nullable=False),
    sa.Column("backtest", sa.JSON(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'shadow', 'active', 'rejected')", name=op.f("ck_rule_proposal_status")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_proposal"))
    )
    op.create_index("ix_rule_proposal_ruleset", "rule_proposal", ["ruleset"], unique=False)

    op.create_table("review_case",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("decision_id", sa.String(length=64), nullable=False),
    sa.Column("ruleset", sa.String(length=128), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("priority", sa.Float(), nullable=False),
    sa.Column("amount", sa.Float(), nullable=False),
    sa.Column("model_score", sa.Float(), nullable=True),
    sa.Column("sla_due_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("claimed_by", sa.String(length=128), nullable=True),
    sa.Column("evidence", sa.JSON(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'claimed', 'decided', 'escalated')", name=op.f("ck_review_case_status")),
    sa.ForeignKeyConstraint(["decision_id"], ["decision_log.id"], name=op.f("fk_review_case_decision_id_decision_log")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_review_case")),
    sa.UniqueConstraint("decision_id", name=op.f("uq_review_case_decision_id"))
    )
    op.create_index("ix_review_case_queue", "review_case", ["status", "ruleset", "priority"], unique=False)

    op.create_table("review_claim",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("case_id", sa.Integer(), nullable=False),
    sa.Column("reviewer", sa.String(length=128), nullable=False),
    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("from_status", sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(["case_id"], ["review_case.id"], name=op.f("fk_review_claim_case_id_review_case")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_review_claim"))
    )
    op.create_index("uq_review_claim_live", "review_claim", ["case_id"], unique=True, sqlite_where=sa.text("released_at IS NULL"), postgresql_where=sa.text("released_at IS NULL"))

    op.create_table("review_note",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("case_id", sa.Integer(), nullable=False),
    sa.Column("author", sa.String(length=128), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["case_id"], ["review_case.id"], name=op.f("fk_review_note_case_id_review_case")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_review_note"))
    )
    op.create_index("ix_review_note_case_id", "review_note", ["case_id"], unique=False)

    op.create_table("review_verdict",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("case_id", sa.Integer(), nullable=False),
    sa.Column("reviewer", sa.String(length=128), nullable=False),
    sa.Column("verdict", sa.String(length=16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("verdict IN ('bad', 'good', 'escalate', 'skip')", name=op.f("ck_review_verdict_verdict")),
    sa.ForeignKeyConstraint(["case_id"], ["review_case.id"], name=op.f("fk_review_verdict_case_id_review_case")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_review_verdict"))
    )
    op.create_index("ix_review_verdict_case_id", "review_verdict", ["case_id"], unique=False)



def downgrade() -> None:
    op.drop_index("ix_review_verdict_case_id", table_name="review_verdict")
    op.drop_table("review_verdict")
    op.drop_index("ix_review_note_case_id", table_name="review_note")
    op.drop_table("review_note")
    op.drop_index("uq_review_claim_live", table_name="review_claim")
    op.drop_table("review_claim")
    op.drop_index("ix_review_case_queue", table_name="review_case")
    op.drop_table("review_case")
    op.drop_index("ix_rule_proposal_ruleset", table_name="rule_proposal")
    op.drop_table("rule_proposal")
    op.drop_index("ix_outcome_decision_id", table_name="outcome")
    op.drop_table("outcome")
    op.drop_index("ix_decision_log_ruleset_created_at", table_name="decision_log")
    op.drop_table("decision_log")
    _drop_append_only_triggers()
    op.drop_index("ix_audit_log_entity", table_name="audit_log")
    op.drop_table("audit_log")
