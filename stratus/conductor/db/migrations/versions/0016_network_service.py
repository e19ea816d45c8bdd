"""the network service: networks, subnets, ports and the addresses they
hold, security groups and their rules

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def _times():
    return [sa.Column('created_at', sa.DateTime(), nullable=False),
            sa.Column('updated_at', sa.DateTime(), nullable=True)]


def _id():
    return sa.Column('id', sa.String(36), primary_key=True)


def _text(name):
    return sa.Column(name, sa.Text(), nullable=False)


def upgrade():
    op.create_table(
        'networks', _id(), sa.Column('name', sa.String(255), nullable=False),
        sa.Column('project_id', sa.String(255), index=True, nullable=False),
        sa.Column('shared', sa.Boolean(), nullable=False), sa.Column('external', sa.Boolean(), nullable=False),
        sa.Column('admin_state_up', sa.Boolean(), nullable=False), sa.Column('mtu', sa.Integer(), nullable=False),
        _text('description'), *_times())
    op.create_table(
        'subnets', _id(),
        sa.Column('network_id', sa.String(36), sa.ForeignKey('networks.id'), index=True, nullable=False),
        sa.Column('name', sa.String(255), nullable=False), sa.Column('project_id', sa.String(255), index=True, nullable=False),
        sa.Column('cidr', sa.String(64), nullable=False), sa.Column('ip_version', sa.Integer(), nullable=False),
        sa.Column('gateway_ip', sa.String(64), nullable=True),
        sa.Column('enable_dhcp', sa.Boolean(), nullable=False), sa.Column('allocation_pools', sa.JSON(), nullable=False),
        sa.Column('dns_nameservers', sa.JSON(), nullable=False), sa.Column('host_routes', sa.JSON(), nullable=False),
        _text('description'), *_times())
    op.create_table(
        'ports', _id(),
        sa.Column('network_id', sa.String(36), sa.ForeignKey('networks.id'), index=True, nullable=False),
        sa.Column('name', sa.String(255), nullable=False), sa.Column('project_id', sa.String(255), index=True, nullable=False),
        sa.Column('mac_address', sa.String(32), unique=True, nullable=False),
        sa.Column('device_id', sa.String(255), index=True, nullable=False),
        sa.Column('device_owner', sa.String(255), nullable=False), sa.Column('admin_state_up', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(16), nullable=False), sa.Column('security_groups', sa.JSON(), nullable=False),
        sa.Column('binding_host_id', sa.String(255), nullable=False), _text('description'), *_times())
    op.create_table(
        'ip_allocations',
        sa.Column('network_id', sa.String(36), primary_key=True),
        sa.Column('ip_address', sa.String(64), primary_key=True),
        sa.Column('subnet_id', sa.String(36), sa.ForeignKey('subnets.id'), index=True, nullable=False),
        sa.Column('port_id', sa.String(36), sa.ForeignKey('ports.id'), index=True, nullable=False), *_times())
    op.create_table(
        'security_groups', _id(), sa.Column('project_id', sa.String(255), index=True, nullable=False),
        sa.Column('name', sa.String(255), nullable=False), _text('description'), *_times())
    op.create_table(
        'security_group_rules', _id(),
        sa.Column('security_group_id', sa.String(36), sa.ForeignKey('security_groups.id'),
                  index=True, nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False), sa.Column('direction', sa.String(16), nullable=False),
        sa.Column('ethertype', sa.String(16), nullable=False),
        sa.Column('protocol', sa.String(40), nullable=True),
        sa.Column('port_range_min', sa.Integer(), nullable=True),
        sa.Column('port_range_max', sa.Integer(), nullable=True),
        sa.Column('remote_ip_prefix', sa.String(255), nullable=True),
        sa.Column('remote_group_id', sa.String(36), nullable=True), _text('description'),
        *_times())


def downgrade():
    for table in ('security_group_rules', 'security_groups', 'ip_allocations', 'ports',
                  'subnets', 'networks'):
        op.drop_table(table)
