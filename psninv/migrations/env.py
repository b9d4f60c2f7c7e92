"""Alembic environment: runs psninv's migrations on the connection the store hands it."""

from alembic import context
from sqlalchemy import create_engine

from psninv.model import metadata

config = context.config


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    # Only developers writing a new migration get here, through the alembic command line.
    url = config.get_main_option("sqlalchemy.url") or "sqlite:///psninv.db"
    with create_engine(url).connect() as conn:
        _run(conn)
