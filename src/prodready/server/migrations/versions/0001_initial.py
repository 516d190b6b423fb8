"""Initial schema: scans, services and their history, rollups, outbox, tokens.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# SQLite makes only INTEGER PRIMARY KEY an alias of its rowid (auto-increment).
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "check_catalog",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("pillar", sa.String(length=20), nullable=False),
        sa.Column("level_rank", sa.SmallInteger(), nullable=False),
        sa.Column("how_to_fix", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_catalog")),
    )
    op.create_table(
        "check_rollup",
        sa.Column("check_id", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=False),
        sa.Column("failing", sa.Integer(), nullable=False),
        sa.Column("applicable", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("check_id", "day", "team", name=op.f("pk_check_rollup")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "notifications",
        sa.Column("id", _ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("service", sa.String(length=200), nullable=False),
        sa.Column("scan_id", _ID, nullable=False),
        sa.Column("kinds", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index("ix_notifications_created_at", "notifications", ["created_at"])
    op.create_index("ix_notifications_status_due", "notifications", ["status", "next_attempt_at"])

    op.create_table(
        "rollup_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=False),
        sa.Column("services", sa.Integer(), nullable=False),
        sa.Column("scored", sa.Integer(), nullable=False),
        sa.Column("score_sum", sa.Float(), nullable=False),
        sa.Column("level_0", sa.Integer(), nullable=False),
        sa.Column("level_1", sa.Integer(), nullable=False),
        sa.Column("level_2", sa.Integer(), nullable=False),
        sa.Column("level_3", sa.Integer(), nullable=False),
        sa.Column("level_4", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "team", name=op.f("pk_rollup_daily")),
        sqlite_with_rowid=False,  # clustered by (day, team): trends read it in order
    )
    op.create_table(
        "scans",
        sa.Column("id", _ID, nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("tool_name", sa.String(length=100), nullable=False),
        sa.Column("tool_version", sa.String(length=100), nullable=False),
        sa.Column("schema_version", sa.String(length=20), nullable=False),
        sa.Column("commit", sa.String(length=100), nullable=True),
        sa.Column("branch", sa.String(length=255), nullable=True),
        sa.Column("remote", sa.String(length=500), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("services_count", sa.SmallInteger(), nullable=False),
        sa.Column("pushed_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scans")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_scans_content_hash")),
    )
    op.create_table(
        "services",
        sa.Column("id", _ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("tier", sa.SmallInteger(), nullable=True),
        sa.Column("path", sa.String(length=500), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latest_scan_id", _ID, nullable=True),
        sa.Column("latest_service_scan_id", _ID, nullable=True),
        sa.Column("last_scan_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("level_rank", sa.SmallInteger(), nullable=False),
        sa.Column("next_level_rank", sa.SmallInteger(), nullable=True),
        sa.Column("previous_score", sa.Float(), nullable=True),
        sa.Column("previous_level_rank", sa.SmallInteger(), nullable=True),
        sa.Column("failing_checks", sa.Integer(), nullable=False),
        sa.Column("scans_count", sa.Integer(), nullable=False),
        sa.Column("blockers", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
        sa.UniqueConstraint("name", name=op.f("uq_services_name")),
    )
    op.create_index("ix_services_last_scan_at", "services", ["last_scan_at"])
    op.create_index("ix_services_level_rank", "services", ["level_rank"])
    op.create_index("ix_services_score", "services", ["score"])
    op.create_index("ix_services_team_name", "services", ["team", "name"])

    op.create_table(
        "tokens",
        sa.Column("id", _ID, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tokens")),
        sa.UniqueConstraint("name", name=op.f("uq_tokens_name")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_tokens_secret_hash")),
    )
    op.create_table(
        "scan_documents",
        sa.Column("scan_id", _ID, nullable=False),
        sa.Column("encoding", sa.String(length=20), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scan_id"],
            ["scans.id"],
            name=op.f("fk_scan_documents_scan_id_scans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("scan_id", name=op.f("pk_scan_documents")),
    )
    op.create_table(
        "service_checks",
        sa.Column("service_id", _ID, nullable=False),
        sa.Column("check_id", sa.String(length=100), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("findings_total", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_service_checks_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", "check_id", name=op.f("pk_service_checks")),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_service_checks_campaign",
        "service_checks",
        ["check_id", "outcome", "team", "service_id", "score", "findings_total"],
    )

    op.create_table(
        "service_pillars",
        sa.Column("service_id", _ID, nullable=False),
        sa.Column("pillar", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_service_pillars_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", "pillar", name=op.f("pk_service_pillars")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_service_pillars_pillar_score", "service_pillars", ["pillar", "score"])
    op.create_table(
        "service_scans",
        sa.Column("id", _ID, nullable=False),
        sa.Column("scan_id", _ID, nullable=False),
        sa.Column("service_id", _ID, nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=True),
        sa.Column("tier", sa.SmallInteger(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("level_rank", sa.SmallInteger(), nullable=False),
        sa.Column("next_level_rank", sa.SmallInteger(), nullable=True),
        sa.Column("commit", sa.String(length=100), nullable=True),
        sa.Column("failing_checks", sa.Integer(), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("pillars", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scan_id"],
            ["scans.id"],
            name=op.f("fk_service_scans_scan_id_scans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_service_scans_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_scans")),
        sa.UniqueConstraint(
            "service_id", "scan_id", name=op.f("uq_service_scans_service_id_scan_id")
        ),
    )
    op.create_index("ix_service_scans_scan_id", "service_scans", ["scan_id"])
    op.create_index(
        "ix_service_scans_service_time", "service_scans", ["service_id", "scanned_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_service_scans_service_time", table_name="service_scans")
    op.drop_index("ix_service_scans_scan_id", table_name="service_scans")

    op.drop_table("service_scans")
    op.drop_index("ix_service_pillars_pillar_score", table_name="service_pillars")
    op.drop_table("service_pillars")
    op.drop_index("ix_service_checks_campaign", table_name="service_checks")

    op.drop_table("service_checks")
    op.drop_table("scan_documents")
    op.drop_table("tokens")
    op.drop_index("ix_services_team_name", table_name="services")
    op.drop_index("ix_services_score", table_name="services")
    op.drop_index("ix_services_level_rank", table_name="services")
    op.drop_index("ix_services_last_scan_at", table_name="services")

    op.drop_table("services")
    op.drop_table("scans")
    op.drop_table("rollup_daily")
    op.drop_index("ix_notifications_status_due", table_name="notifications")
    op.drop_index("ix_notifications_created_at", table_name="notifications")

    op.drop_table("notifications")
    op.drop_table("check_rollup")
    op.drop_table("check_catalog")
