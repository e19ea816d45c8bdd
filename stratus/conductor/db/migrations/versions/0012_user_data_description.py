"""user data and description: what a boot (user_data, 2.19's description),
an update and a rebuild give a server, kept as given

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instances') as batch:
        batch.add_column(sa.Column('user_data', sa.Text(), nullable=True))
        batch.add_column(sa.Column('description', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('instances') as batch:
        batch.drop_column('description')
        batch.drop_column('user_data')
