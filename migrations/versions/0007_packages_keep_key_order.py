"""service packages keep their key order (JSON, not JSONB, on PostgreSQL)

The order of a form's fields is the order of the schema's keys; JSONB sorts
keys, so a package read back from PostgreSQL showed its fields out of order.

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

COLUMNS = (("procedure", "draft"), ("procedure_version", "package"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite keeps JSON as text already
    for table, column in COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE json USING {column}::text::json")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE jsonb USING {column}::jsonb")
