"""Choice columns are checked by chains of comparisons, not IN lists, which SQLite checks slowly.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The choices as they were when this migration was written: a migration must not follow the model.
CHOICES = {
    "tenant": {
        "sector": [
            "local-government",
            "health",
            "police",
            "fire",
            "education",
            "central-government",
            "voluntary",
            "other",
        ],
    },
    "site": {
        "role": ["core", "datacentre", "hub", "access"],
        "criticality": ["critical", "high", "standard"],
    },
    "link": {
        "medium": ["fibre", "ethernet", "copper", "wireless", "other"],
        "status": ["active", "planned", "ceased"],
    },
}


def _chain(column: str, values: list[str]) -> str:
    return f"{column} IS NULL OR " + " OR ".join(f"{column} = '{value}'" for value in values)


def _in_list(column: str, values: list[str]) -> str:
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IS NULL OR {column} IN ({listed})"


def _replace(check) -> None:
    for table, columns in CHOICES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, values in columns.items():
                name = op.f(f"ck_{table}_{column}_valid")
                batch_op.drop_constraint(name, type_="check")
                batch_op.create_check_constraint(name, check(column, values))


def upgrade() -> None:
    _replace(_chain)


def downgrade() -> None:
    _replace(_in_list)
