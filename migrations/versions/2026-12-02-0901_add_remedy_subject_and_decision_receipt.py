"""add remedy subject and decision receipt

Revision ID: 7b2e4c1d9a30
Revises: 7c2e5b1d9a04
Create Date: 2026-12-02 09:00:00

What a reconsideration or lawsuit challenges (a reply, a failure to answer, a closure): the
records kept so far challenged the reply or the closure the case had (a closure when the case
was closed for want of a correction or of the fee), never a failure to answer, which could not
be recorded. The
day the applicant received the decision starts the 15 days to sue (行政诉讼法 Art. 45).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '7b2e4c1d9a30'
down_revision: Union[str, Sequence[str], None] = '7c2e5b1d9a04'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('remedy_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_received_on', sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column('subject', sa.String(length=20), server_default='reply', nullable=False)
        )
    # Records on a case closed for want of a correction or of the fee challenge the closure.
    op.execute(
        "UPDATE remedy_records SET subject = 'closure' WHERE case_id IN (SELECT id FROM cases "
        "WHERE outcome IN ('other.no_correction', 'other.fee_unpaid'))"
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('remedy_records', schema=None) as batch_op:
        batch_op.drop_column('subject')
        batch_op.drop_column('decision_received_on')
