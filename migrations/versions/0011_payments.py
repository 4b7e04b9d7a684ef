"""payments: MoMo and the national payment platform (e-receipts, refunds, polling)

Revision ID: 0011
Revises: 0010
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('receipt_content_type', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('refunded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_payment_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_status'))
        batch_op.drop_column('refunded_at')
        batch_op.drop_column('receipt_content_type')
        batch_op.drop_column('receipt_sha256')
