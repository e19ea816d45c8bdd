"""instances listed newest first without a sort: an index in the list's
order, for a project's servers and for every project's (admins)

Revision ID: 0017
Revises: 0016
"""
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('instances_project_deleted_created_idx', 'instances',
                    ['project_id', 'deleted', 'created_at', 'id'])
    op.create_index('instances_deleted_created_idx', 'instances',
                    ['deleted', 'created_at', 'id'])


def downgrade():
    op.drop_index('instances_deleted_created_idx', 'instances')
    op.drop_index('instances_project_deleted_created_idx', 'instances')
