"""network info: the ports a server is plugged into, kept on the instance
(Nova's instance_info_caches)

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instances') as batch:
        batch.add_column(sa.Column('network_info', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('instances') as batch:
        batch.drop_column('network_info')
