"""tags: a server's tags (Nova's instance tags, microversion 2.26)

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tags',
    sa.Column('instance_uuid', sa.String(length=36), nullable=False),
    sa.Column('tag', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('instance_uuid', 'tag')
    )
    op.create_index(op.f('ix_tags_tag'), 'tags', ['tag'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_tags_tag'), table_name='tags')
    op.drop_table('tags')
