"""agency office hours

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 05:39:26.080972
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('office_hours', sa.String(length=100), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_column('office_hours')

