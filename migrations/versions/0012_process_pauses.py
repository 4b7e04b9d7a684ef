"""process: waiting for payment and stopped processing; result documents

The amount an officer asks the applicant to pay (status 6) and when, on the
dossier; the name of a result document as the applicant sees it.

Revision ID: 0012
Revises: 0011
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_requested', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('payment_requested_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('dossier_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('dossier_document', schema=None) as batch_op:
        batch_op.drop_column('title')
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_column('payment_requested_at')
        batch_op.drop_column('payment_requested')
