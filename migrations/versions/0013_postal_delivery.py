"""postal delivery: orders and their events

Revision ID: 0013
Revises: 0012
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'delivery_order',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('direction', sa.String(length=16), nullable=False),
        sa.Column('carrier', sa.String(length=64), nullable=False),
        sa.Column('order_number', sa.String(length=80), nullable=False),
        sa.Column('waybill', sa.String(length=64), nullable=True),
        sa.Column('carrier_order_id', sa.String(length=128), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('status_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cod_amount', sa.Integer(), nullable=False),
        sa.Column('sender', JSON, nullable=False),
        sa.Column('receiver', JSON, nullable=False),
        sa.Column('description', sa.String(length=500), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ordered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('dossier_id', 'direction', name='uq_delivery_order_direction'),
        sa.UniqueConstraint('carrier', 'waybill', name='uq_delivery_order_waybill'),
    )
    with op.batch_alter_table('delivery_order', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_order_dossier_id', ['dossier_id'], unique=False)
        batch_op.create_index('ix_delivery_order_open', ['status', 'carrier'], unique=False)
    op.create_table(
        'delivery_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=True),
        sa.Column('carrier_code', sa.String(length=32), nullable=True),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['delivery_order.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('order_id', 'status', 'at', name='uq_delivery_event'),
    )
    with op.batch_alter_table('delivery_event', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_event_order_id', ['order_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('delivery_event', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_event_order_id')
    op.drop_table('delivery_event')
    with op.batch_alter_table('delivery_order', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_order_open')
        batch_op.drop_index('ix_delivery_order_dossier_id')
    op.drop_table('delivery_order')
