"""attachments.purpose: correction material handed in after the application

Revision ID: 3c9d0e1f2a47
Revises: 670eab506bef
Create Date: 2026-12-02 13:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '3c9d0e1f2a47'
down_revision: Union[str, Sequence[str], None] = '670eab506bef'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=20), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_column('purpose')
