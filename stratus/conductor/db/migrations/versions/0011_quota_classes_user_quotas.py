"""quota classes and user quotas: Nova's quota class sets (the `default`
class sets every project's default limits) and a user's limits within
its project

Revision ID: 0011
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quota_classes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_name', sa.String(length=255), nullable=False),
    sa.Column('resource', sa.String(length=255), nullable=False),
    sa.Column('hard_limit', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('class_name', 'resource', name='uniq_quota_classes0class_name0resource')
    )
    op.create_index(op.f('ix_quota_classes_class_name'), 'quota_classes', ['class_name'],
                    unique=False)
    op.create_table('user_quotas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.String(length=255), nullable=False),
    sa.Column('resource', sa.String(length=255), nullable=False),
    sa.Column('hard_limit', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'user_id', 'resource',
                        name='uniq_user_quotas0project_id0user_id0resource')
    )
    op.create_index(op.f('ix_user_quotas_project_id'), 'user_quotas', ['project_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_user_quotas_project_id'), table_name='user_quotas')
    op.drop_table('user_quotas')
    op.drop_index(op.f('ix_quota_classes_class_name'), table_name='quota_classes')
    op.drop_table('quota_classes')
