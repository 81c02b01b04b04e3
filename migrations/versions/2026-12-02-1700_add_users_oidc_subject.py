"""add users.oidc_subject (signing in through the province's identity provider)

Revision ID: 5e1a7c3b9d20
Revises: b2d876ae64f2
Create Date: 2026-12-02 17:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '5e1a7c3b9d20'
down_revision: Union[str, Sequence[str], None] = 'b2d876ae64f2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oidc_subject', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_oidc_subject'), ['oidc_subject'])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_oidc_subject'), type_='unique')
        batch_op.drop_column('oidc_subject')
