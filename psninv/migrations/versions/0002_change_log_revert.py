"""Change log: record which change a revert undid, and keep only the indexes that lookups use.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reverts", sa.Integer(), nullable=True))
        batch_op.drop_index("ix_change_at")
        batch_op.drop_index("ix_change_entity")
        batch_op.drop_index("ix_change_key")
        batch_op.create_index("ix_change_entity_key", ["entity", "key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_index("ix_change_entity_key")
        batch_op.create_index("ix_change_key", ["key"], unique=False)
        batch_op.create_index("ix_change_entity", ["entity"], unique=False)
        batch_op.create_index("ix_change_at", ["at"], unique=False)
        batch_op.drop_column("reverts")
