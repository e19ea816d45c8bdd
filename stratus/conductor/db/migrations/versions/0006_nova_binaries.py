"""services take Nova's binary names: stratus-compute becomes nova-compute...

Clients and Tempest filter os-services on Nova's names; renaming the stored
rows (rather than mapping at the view) keeps one name everywhere: the
heartbeat's (host, binary) lookup, the unique constraint, the API's
filters and the conductor's compute-service queries.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# Spelled out, not imported: a migration must not change with the code.
_ROLES = ('compute', 'conductor', 'scheduler', 'cert', 'consoleauth')
_services = sa.table('services', sa.column('binary', sa.String))


def _rename(prefix_from, prefix_to):
    for role in _ROLES:
        op.execute(_services.update()
                   .where(_services.c.binary == f'{prefix_from}-{role}')
                   .values(binary=f'{prefix_to}-{role}'))


def upgrade():
    _rename('stratus', 'nova')


def downgrade():
    _rename('nova', 'stratus')
