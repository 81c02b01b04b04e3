"""search index on PostgreSQL: characters, not hex terms; bigrams without positions; lz4

Each row's tsvector now holds the characters themselves ('土地', not '571fx5730'), each bigram
once without positions (a two-character query asks for it alone) and the trigram starting at
each position with its position (app.search.text.tsvector_literal); the column is compressed
with lz4 where the server has it, which a phrase's recheck decompresses several times faster
than pglz. A row is about a third smaller, and a query of four characters or more re-reads a
row for each of its hits. Existing rows are rebuilt from their sources. SQLite's FTS5 rows do
not change.

Revision ID: 3b8e5d1f6a27
Revises: c7f3a9e18d42
Create Date: 2026-12-04 09:00:00.000000

"""

from collections.abc import Sequence as Positions
from typing import Sequence, Union

from alembic import op

from app.search.backfill import backfill

# revision identifiers, used by Alembic.
revision: str = "3b8e5d1f6a27"
down_revision: Union[str, Sequence[str], None] = "c7f3a9e18d42"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# A server built without lz4 keeps its default compression (feature_not_supported).
_COMPRESSION = (
    "DO $$ BEGIN ALTER TABLE case_search ALTER COLUMN grams SET COMPRESSION {method}; "
    "EXCEPTION WHEN feature_not_supported THEN NULL; END $$"
)


def upgrade() -> None:
    """Upgrade schema."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_COMPRESSION.format(method="lz4"))
    op.execute("DELETE FROM case_search")
    backfill(op.get_bind())


def _hex_literal(positions: Positions[str | None]) -> str:
    """The tsvector input of the revision before, frozen here: each bigram as its code points
    in hex joined by "x", and the trigram starting there, both with their position."""

    def term(gram: str) -> str:
        return "x".join(f"{ord(c):x}" for c in gram)

    out = []
    for i, gram in enumerate(positions):
        if gram is None:
            continue
        out.append(f"'{term(gram)}':{i + 1}")
        after = positions[i + 1] if i + 1 < len(positions) else None
        if after is not None:
            out.append(f"'{term(gram + after[1])}':{i + 1}")
    return " ".join(out)


def downgrade() -> None:
    """Downgrade schema: the rows rebuilt as the revision before wrote them."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_COMPRESSION.format(method="default"))
    op.execute("DELETE FROM case_search")
    backfill(op.get_bind(), _hex_literal)
