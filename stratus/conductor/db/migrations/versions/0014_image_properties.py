"""image properties: Glance's extra properties (the compute proxy's image
metadata, a snapshot's instance_uuid and image_type) and its os_hash

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('images') as batch:
        batch.add_column(sa.Column('properties', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('os_hash_algo', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('os_hash_value', sa.String(length=128), nullable=True))


def downgrade():
    with op.batch_alter_table('images') as batch:
        batch.drop_column('os_hash_value')
        batch.drop_column('os_hash_algo')
        batch.drop_column('properties')
