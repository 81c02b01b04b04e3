"""search index on PostgreSQL: each position also holds the trigram starting there

A query of three or more characters asks PostgreSQL's index for its trigrams
(app.search.text.pg_phrase), which few rows hold beside the rows that hold its bigrams anywhere
(a run of digits' bigrams are in nearly every number). Existing rows are rebuilt from their
sources as the service now writes them. SQLite's FTS5 rows do not change.

Revision ID: 9c4e1f2a7b63
Revises: 5e2b7c1d9a40
Create Date: 2026-12-03 13:55:00.000000

"""

from typing import Sequence, Union

from alembic import op

from app.search.backfill import backfill

# revision identifiers, used by Alembic.
revision: str = "9c4e1f2a7b63"
down_revision: Union[str, Sequence[str], None] = "5e2b7c1d9a40"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DELETE FROM case_search")
        backfill(op.get_bind())


def downgrade() -> None:
    """Downgrade schema: nothing — the trigram terms are extra terms the bigram phrases of the
    revision before never ask for."""
