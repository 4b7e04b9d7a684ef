"""process engine: steps, clock, transfers, chained history

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 04:15:14.955687
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agency_calendar_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('note', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('agency_id', 'day')
    )
    with op.batch_alter_table('agency_calendar_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_calendar_day_agency_id'), ['agency_id'], unique=False)

    op.create_table('dossier_transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('from_agency_id', sa.Integer(), nullable=False),
    sa.Column('to_agency_id', sa.Integer(), nullable=False),
    sa.Column('lead_agency_id', sa.Integer(), nullable=True),
    sa.Column('task', sa.Text(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], ),
    sa.ForeignKeyConstraint(['from_agency_id'], ['agency.id'], ),
    sa.ForeignKeyConstraint(['lead_agency_id'], ['agency.id'], ),
    sa.ForeignKeyConstraint(['to_agency_id'], ['agency.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dossier_transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_transfer_dossier_id'), ['dossier_id'], unique=False)

    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handling_agency_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('step_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('clock_paused_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('clock_remaining_seconds', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('apologized_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('paused_status', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_dossier_handling_agency_id'), ['handling_agency_id'], unique=False)
        batch_op.create_foreign_key('fk_dossier_handling_agency', 'agency', ['handling_agency_id'], ['id'])
        batch_op.create_foreign_key('fk_dossier_assignee', 'ab_user', ['assignee_id'], ['id'])

    with op.batch_alter_table('dossier_history', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=False, server_default=''))



    # History is append-only: the database itself refuses to change or delete
    # an entry (TRUNCATE, for tests and restores, stays possible).
    if op.get_bind().dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER dossier_history_no_{event.lower()} BEFORE {event} ON dossier_history "
                "BEGIN SELECT RAISE(ABORT, 'dossier_history is append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION dossier_history_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'dossier_history is append-only'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER dossier_history_append_only BEFORE UPDATE OR DELETE ON dossier_history "
            "FOR EACH ROW EXECUTE FUNCTION dossier_history_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER dossier_history_no_update")
        op.execute("DROP TRIGGER dossier_history_no_delete")
    else:
        op.execute("DROP TRIGGER dossier_history_append_only ON dossier_history")
        op.execute("DROP FUNCTION dossier_history_append_only()")
    with op.batch_alter_table('dossier_history', schema=None) as batch_op:
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('details')
        batch_op.drop_column('step_due_at')

    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_constraint('fk_dossier_assignee', type_='foreignkey')
        batch_op.drop_constraint('fk_dossier_handling_agency', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_dossier_handling_agency_id'))
        batch_op.drop_column('paused_status')
        batch_op.drop_column('apologized_at')
        batch_op.drop_column('clock_remaining_seconds')
        batch_op.drop_column('clock_paused_at')
        batch_op.drop_column('step_due_at')
        batch_op.drop_column('assignee_id')
        batch_op.drop_column('handling_agency_id')

    with op.batch_alter_table('dossier_transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_transfer_dossier_id'))

    op.drop_table('dossier_transfer')
    with op.batch_alter_table('agency_calendar_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_calendar_day_agency_id'))

    op.drop_table('agency_calendar_day')
