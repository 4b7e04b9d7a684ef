"""statistics, evaluations, deadline watch

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 04:37:23.063618
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dossier_evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('overall', sa.Integer(), nullable=False),
    sa.Column('ease', sa.Integer(), nullable=False),
    sa.Column('timeliness', sa.Integer(), nullable=False),
    sa.Column('attitude', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dossier_id')
    )
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolution', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('due_soon_notified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('overdue_notified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_dossier_handling_status', ['handling_agency_id', 'status', 'due_at'], unique=False)
        batch_op.create_index('ix_dossier_submitted', ['submitted_at'], unique=False)
        batch_op.create_index('ix_dossier_watch', ['status', 'due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_watch')
        batch_op.drop_index('ix_dossier_submitted')
        batch_op.drop_index('ix_dossier_handling_status')
        batch_op.drop_column('overdue_notified_at')
        batch_op.drop_column('due_soon_notified_at')
        batch_op.drop_column('resolution')
        batch_op.drop_column('resolved_at')

    op.drop_table('dossier_evaluation')
