"""The first schema: tenants, sites, occupants, links, prefixes and the change log.

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 16:17:48.615205
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch', sa.String(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(), nullable=False),
    sa.Column('action', sa.String(), nullable=False),
    sa.Column('entity', sa.String(), nullable=False),
    sa.Column('key', sa.String(), nullable=False),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change'))
    )
    with op.batch_alter_table('change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_batch'), ['batch'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_entity'), ['entity'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_key'), ['key'], unique=False)

    op.create_table('tenant',
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=True),
    sa.Column('sector', sa.String(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("sector IS NULL OR sector IN ('local-government', 'health', 'police', 'fire', 'education', 'central-government', 'voluntary', 'other')", name=op.f('ck_tenant_sector_valid')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_tenant'))
    )
    op.create_table('site',
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=True),
    sa.Column('tenant', sa.String(), nullable=True),
    sa.Column('role', sa.String(), nullable=True),
    sa.Column('address', sa.String(), nullable=True),
    sa.Column('postcode', sa.String(), nullable=True),
    sa.Column('district', sa.String(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('criticality', sa.String(), nullable=True),
    sa.Column('demand_mbps', sa.Float(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("criticality IS NULL OR criticality IN ('critical', 'high', 'standard')", name=op.f('ck_site_criticality_valid')),
    sa.CheckConstraint("role IS NULL OR role IN ('core', 'datacentre', 'hub', 'access')", name=op.f('ck_site_role_valid')),
    sa.CheckConstraint('demand_mbps IS NULL OR demand_mbps >= 0', name=op.f('ck_site_demand_positive')),
    sa.CheckConstraint('latitude IS NULL OR (latitude BETWEEN -90 AND 90)', name=op.f('ck_site_latitude_range')),
    sa.CheckConstraint('longitude IS NULL OR (longitude BETWEEN -180 AND 180)', name=op.f('ck_site_longitude_range')),
    sa.ForeignKeyConstraint(['tenant'], ['tenant.code'], name=op.f('fk_site_tenant_tenant'), onupdate='CASCADE'),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_site'))
    )
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_tenant'), ['tenant'], unique=False)

    op.create_table('link',
    sa.Column('circuit_id', sa.String(), nullable=False),
    sa.Column('a_site', sa.String(), nullable=False),
    sa.Column('b_site', sa.String(), nullable=False),
    sa.Column('provider', sa.String(), nullable=True),
    sa.Column('medium', sa.String(), nullable=True),
    sa.Column('bandwidth_mbps', sa.Float(), nullable=True),
    sa.Column('annual_cost_gbp', sa.Float(), nullable=True),
    sa.Column('contract_end', sa.Date(), nullable=True),
    sa.Column('tenant', sa.String(), nullable=True),
    sa.Column('srlg', sa.String(), nullable=True),
    sa.Column('status', sa.String(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("medium IS NULL OR medium IN ('fibre', 'ethernet', 'copper', 'wireless', 'other')", name=op.f('ck_link_medium_valid')),
    sa.CheckConstraint("status IS NULL OR status IN ('active', 'planned', 'ceased')", name=op.f('ck_link_status_valid')),
    sa.CheckConstraint('annual_cost_gbp IS NULL OR annual_cost_gbp >= 0', name=op.f('ck_link_cost_positive')),
    sa.CheckConstraint('bandwidth_mbps IS NULL OR bandwidth_mbps >= 0', name=op.f('ck_link_bandwidth_positive')),
    sa.ForeignKeyConstraint(['a_site'], ['site.code'], name=op.f('fk_link_a_site_site'), onupdate='CASCADE'),
    sa.ForeignKeyConstraint(['b_site'], ['site.code'], name=op.f('fk_link_b_site_site'), onupdate='CASCADE'),
    sa.ForeignKeyConstraint(['tenant'], ['tenant.code'], name=op.f('fk_link_tenant_tenant'), onupdate='CASCADE'),
    sa.PrimaryKeyConstraint('circuit_id', name=op.f('pk_link'))
    )
    with op.batch_alter_table('link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_a_site'), ['a_site'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_b_site'), ['b_site'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_tenant'), ['tenant'], unique=False)

    op.create_table('prefix',
    sa.Column('prefix', sa.String(), nullable=False),
    sa.Column('vrf', sa.String(), nullable=False),
    sa.Column('site', sa.String(), nullable=True),
    sa.Column('tenant', sa.String(), nullable=True),
    sa.Column('description', sa.String(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site'], ['site.code'], name=op.f('fk_prefix_site_site'), onupdate='CASCADE'),
    sa.ForeignKeyConstraint(['tenant'], ['tenant.code'], name=op.f('fk_prefix_tenant_tenant'), onupdate='CASCADE'),
    sa.PrimaryKeyConstraint('prefix', 'vrf', name=op.f('pk_prefix'))
    )
    with op.batch_alter_table('prefix', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prefix_site'), ['site'], unique=False)
        batch_op.create_index(batch_op.f('ix_prefix_tenant'), ['tenant'], unique=False)

    op.create_table('site_occupant',
    sa.Column('site', sa.String(), nullable=False),
    sa.Column('tenant', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['site'], ['site.code'], name=op.f('fk_site_occupant_site_site'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant'], ['tenant.code'], name=op.f('fk_site_occupant_tenant_tenant'), onupdate='CASCADE', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site', 'tenant', name=op.f('pk_site_occupant'))
    )
    with op.batch_alter_table('site_occupant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_occupant_tenant'), ['tenant'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('site_occupant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_occupant_tenant'))

    op.drop_table('site_occupant')
    with op.batch_alter_table('prefix', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prefix_tenant'))
        batch_op.drop_index(batch_op.f('ix_prefix_site'))

    op.drop_table('prefix')
    with op.batch_alter_table('link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_tenant'))
        batch_op.drop_index(batch_op.f('ix_link_b_site'))
        batch_op.drop_index(batch_op.f('ix_link_a_site'))

    op.drop_table('link')
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_tenant'))

    op.drop_table('site')
    op.drop_table('tenant')
    with op.batch_alter_table('change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_key'))
        batch_op.drop_index(batch_op.f('ix_change_entity'))
        batch_op.drop_index(batch_op.f('ix_change_batch'))
        batch_op.drop_index(batch_op.f('ix_change_at'))

    op.drop_table('change')
