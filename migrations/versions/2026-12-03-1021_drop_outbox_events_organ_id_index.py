"""drop the index on outbox_events.organ_id: no query reads events by organ alone

Every query that filters events by organ (the dead letters of an organ, its cases with a dead
e-mail) joins them from their deliveries, and an organ matches most events (a deployment has
one or a handful), so the index only cost every event insert (the first deadline-warning scan
writes tens of thousands). The foreign key stays.

Revision ID: 43a9a5ab561e
Revises: 89caa16d0130
Create Date: 2026-12-03 10:21:00.000000

"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '43a9a5ab561e'
down_revision: Union[str, Sequence[str], None] = '89caa16d0130'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_events_organ_id')


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_events_organ_id', ['organ_id'], unique=False)
