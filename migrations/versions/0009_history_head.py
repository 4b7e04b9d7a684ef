"""the head of each dossier's history chain, kept on the dossier

Revision ID: 0009
Revises: 0008
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('history_head', sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE dossier SET history_head = (SELECT h.hash FROM dossier_history h "
        "WHERE h.dossier_id = dossier.id ORDER BY h.id DESC LIMIT 1)"
    )


def downgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_column('history_head')
