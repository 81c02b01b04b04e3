"""add audit checkpoints and keyed events

Revision ID: 3f1c2a9d7b40
Revises: ed3ed68cd964
Create Date: 2026-12-02 04:30:00

Existing events keep their unkeyed SHA-256 hashes (hash_alg NULL): re-keying them would mean
vouching for data nobody can check any more. The first checkpoint covers them; new events
are HMAC-keyed.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import app.models.types
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '3f1c2a9d7b40'
down_revision: Union[str, Sequence[str], None] = 'ed3ed68cd964'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('audit_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('taken_at', app.models.types.UTCDateTime(), nullable=False),
    sa.Column('daily_on', sa.Date(), nullable=True),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('root', sa.String(length=64), nullable=False),
    sa.Column('heads', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('signature', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints')),
    sa.UniqueConstraint('daily_on', name=op.f('uq_audit_checkpoints_daily_on')),
    sa.UniqueConstraint('signature', name=op.f('uq_audit_checkpoints_signature'))
    )
    # A nullable column without a default: adding it rewrites no row, so the append-only
    # triggers on case_events are not involved, and old rows read as NULL (unkeyed).
    op.add_column('case_events', sa.Column('hash_alg', sa.String(length=16), nullable=True))
    _create_append_only_triggers()


def downgrade() -> None:
    """Downgrade schema."""
    _drop_append_only_triggers()
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column('case_events', 'hash_alg')
    else:
        # SQLite drops a column without rebuilding the table (3.35+), so the triggers stay.
        op.execute("ALTER TABLE case_events DROP COLUMN hash_alg")
    op.drop_table('audit_checkpoints')


# Checkpoints are evidence like the timeline: the database refuses to rewrite or delete them.
def _create_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'audit_checkpoints is append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_checkpoints_no_change BEFORE UPDATE OR DELETE "
            "ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_checkpoints_no_{verb.lower()} BEFORE {verb} "
                "ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END"
            )


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoints_no_change ON audit_checkpoints")
        op.execute("DROP FUNCTION IF EXISTS audit_checkpoints_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoints_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoints_no_delete")
