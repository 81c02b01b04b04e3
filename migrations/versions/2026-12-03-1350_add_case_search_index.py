"""add the case search index (character bigrams) and fill it from the existing cases

One row per searchable text of a case — its number, the applicant's name, each item, each
issued letter (app.search.sources) — holding the text's character bigrams: on PostgreSQL a
tsvector under a partial GIN index per kind, on SQLite text indexed by a contentless FTS5 table
per kind (kept in step by triggers). Bigrams, not pg_trgm / FTS5 trigram as the issue first named, because a
two-character query (土地, 张三) cannot be answered from a trigram index.

Revision ID: 5e2b7c1d9a40
Revises: bbd109544ca4
Create Date: 2026-12-03 13:45:00.000000

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from app.models.search import KINDS, Grams, fts_table, gin_index
from app.search.backfill import backfill

# revision identifiers, used by Alembic.
revision: str = "5e2b7c1d9a40"
down_revision: Union[str, Sequence[str], None] = "bbd109544ca4"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "case_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("organ_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("grams", Grams(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_search_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_search")),
    )
    with op.batch_alter_table("case_search", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_search_case_id"), ["case_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # The blocks of ids each row lies in, as terms — 8192 ids, twice that, … 2**7 times
        # (app.search.text.BUCKET_ROWS and LEVELS, fixed here as of this revision) — so the GIN
        # index can find a phrase among the newest rows without reading every hit
        # (app.search.repository).
        blocks = ", ".join(f"'z{k}_' || (NEW.id / {8192 << k})::text" for k in range(8))
        op.execute(
            "CREATE FUNCTION case_search_block() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN NEW.grams := NEW.grams || array_to_tsvector(ARRAY[{blocks}]); "
            "RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER case_search_block BEFORE INSERT ON case_search "
            "FOR EACH ROW EXECUTE FUNCTION case_search_block()"
        )
        for kind in KINDS:
            op.execute(
                f"CREATE INDEX {gin_index(kind)} ON case_search USING gin (grams) "
                f"WHERE kind = '{kind}'"
            )
    else:
        for kind in KINDS:
            fts = fts_table(kind)
            op.execute(
                f"CREATE VIRTUAL TABLE {fts} USING fts5(grams, content='', "
                "tokenize='unicode61 remove_diacritics 0')"
            )
            op.execute(
                f"CREATE TRIGGER {fts}_insert AFTER INSERT ON case_search "
                f"WHEN new.kind = '{kind}' BEGIN "
                f"INSERT INTO {fts}(rowid, grams) VALUES (new.id, new.grams); END"
            )
            op.execute(
                f"CREATE TRIGGER {fts}_delete AFTER DELETE ON case_search "
                f"WHEN old.kind = '{kind}' BEGIN "
                f"INSERT INTO {fts}({fts}, rowid, grams) VALUES ('delete', old.id, old.grams); END"
            )
    backfill(op.get_bind())


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER case_search_block ON case_search")
        op.execute("DROP FUNCTION case_search_block()")
    for kind in KINDS:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP INDEX {gin_index(kind)}")
        else:
            for verb in ("insert", "delete"):
                op.execute(f"DROP TRIGGER {fts_table(kind)}_{verb}")
            op.execute(f"DROP TABLE {fts_table(kind)}")
    with op.batch_alter_table("case_search", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_search_case_id"))

    op.drop_table("case_search")
