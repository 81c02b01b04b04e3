"""add case type (FOI application or record correction)

Revision ID: 7c2e5b1d9a04
Revises: fee5274e8870
Create Date: 2026-12-02 09:00:00

Every existing case is an FOI application. The annual report's covering index gains the
column so its count (which now leaves correction requests out) stays an index-only scan.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '7c2e5b1d9a04'
down_revision: Union[str, Sequence[str], None] = 'fee5274e8870'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_OLD = ['organ_id', 'receipt_date', 'concluded_on', 'applicant_category', 'outcome']


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'case_type', sa.String(length=32), server_default='foi_application', nullable=False
            )
        )
        batch_op.drop_index('ix_cases_organ_receipt')
        batch_op.create_index('ix_cases_organ_receipt', [*_OLD, 'case_type'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_organ_receipt')
        batch_op.create_index('ix_cases_organ_receipt', _OLD, unique=False)
        batch_op.drop_column('case_type')
