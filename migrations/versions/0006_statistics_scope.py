"""statistics scope

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 05:05:39.043342
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_stats', ['agency_id', 'submitted_at'], unique=False,
                              postgresql_include=['procedure_id', 'status', 'channel', 'resolution', 'due_at'])

    # evaluations carry their dossier's scope, filled in from the dossiers
    with op.batch_alter_table('dossier_evaluation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('procedure_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))
    for column in ('agency_id', 'procedure_id', 'submitted_at'):
        op.execute(f"UPDATE dossier_evaluation SET {column} = "
                   f"(SELECT dossier.{column} FROM dossier WHERE dossier.id = dossier_evaluation.dossier_id)")
    with op.batch_alter_table('dossier_evaluation', schema=None) as batch_op:
        batch_op.alter_column('agency_id', nullable=False)
        batch_op.alter_column('procedure_id', nullable=False)
        batch_op.alter_column('submitted_at', nullable=False)
        batch_op.create_index('ix_dossier_evaluation_scope', ['agency_id', 'submitted_at'], unique=False)
        batch_op.create_foreign_key('fk_dossier_evaluation_agency', 'agency', ['agency_id'], ['id'])
        batch_op.create_foreign_key('fk_dossier_evaluation_procedure', 'procedure', ['procedure_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('dossier_evaluation', schema=None) as batch_op:
        batch_op.drop_constraint('fk_dossier_evaluation_procedure', type_='foreignkey')
        batch_op.drop_constraint('fk_dossier_evaluation_agency', type_='foreignkey')
        batch_op.drop_index('ix_dossier_evaluation_scope')
        batch_op.drop_column('submitted_at')
        batch_op.drop_column('procedure_id')
        batch_op.drop_column('agency_id')

    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_stats')
