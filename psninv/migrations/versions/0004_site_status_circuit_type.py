"""Sites get a status (planned, decommissioning and closed sites stay out of the live network) and
circuits their circuit type (NetBox's, kept apart from the medium).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing sites keep a blank status, which means active: the network analysed does not change.
    op.add_column("site", sa.Column("status", sa.String(), nullable=True))
    op.add_column("link", sa.Column("circuit_type", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.drop_column("circuit_type")
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("status")
