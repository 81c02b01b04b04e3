"""organ certificates can be withdrawn (停用): when, by whom, why

A withdrawn certificate never signs again; the letters signed with it before still name it
and verify, and their verification says it was withdrawn and when.

Revision ID: 6d2a9c4e8f15
Revises: 3b8e5d1f6a27
Create Date: 2026-12-04 09:30:00.000000

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "6d2a9c4e8f15"
down_revision: Union[str, Sequence[str], None] = "3b8e5d1f6a27"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("organ_certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("withdrawal_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_organ_certificates_withdrawn_by_id_users"),
            "users",
            ["withdrawn_by_id"],
            ["id"],
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("organ_certificates", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_organ_certificates_withdrawn_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("withdrawal_reason")
        batch_op.drop_column("withdrawn_by")
        batch_op.drop_column("withdrawn_by_id")
        batch_op.drop_column("withdrawn_at")
