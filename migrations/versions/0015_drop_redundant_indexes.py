"""drop the indexes that repeat the first column of another: every insert
paid for them (a dossier's submission among them) and no query needs them

Revision ID: 0015
Revises: 0014
"""
from __future__ import annotations

from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# (table, index, column): the index another one, or a unique constraint, begins with
REDUNDANT = (
    ('dossier', 'ix_dossier_handling_agency_id', 'handling_agency_id'),  # ix_dossier_handling_status
    ('agency_calendar_day', 'ix_agency_calendar_day_agency_id', 'agency_id'),  # unique (agency_id, day)
    ('delivery_order', 'ix_delivery_order_dossier_id', 'dossier_id'),  # uq_delivery_order_direction
    ('delivery_event', 'ix_delivery_event_order_id', 'order_id'),  # uq_delivery_event
)


def upgrade() -> None:
    for table, index, _column in REDUNDANT:  # no table is rebuilt, on SQLite either
        op.drop_index(index, table_name=table)


def downgrade() -> None:
    for table, index, column in REDUNDANT:
        op.create_index(index, table, [column], unique=False)
