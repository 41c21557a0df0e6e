"""talent: nominations, ambassadors, stay conversations, outcomes, manager notes

Revision ID: talent_0001
Revises:
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa
import lms.models.base


revision = "talent_0001"
down_revision = None
branch_labels = ("talent",)
# 0004 creates development_goal (and 0001 user_account and organisation), referenced below.
depends_on = "0004"


def upgrade():
    op.create_table(
        "talent_nomination",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nominee_id", sa.Integer(), nullable=False),
        sa.Column("nominator_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("nlqf_target", sa.Integer(), nullable=True),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created_at", lms.models.base.UTCDateTime(), nullable=False),
        sa.Column("decided_at", lms.models.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint("role IN ('werkplekbegeleider', 'schoolopleider', 'ambassadeur', "
                           "'opleiding')", name=op.f("ck_talent_nomination_role")),
        sa.CheckConstraint("status IN ('open', 'accepted', 'declined')",
                           name=op.f("ck_talent_nomination_status")),
        sa.CheckConstraint("nlqf_target IS NULL OR nlqf_target BETWEEN 4 AND 8",
                           name=op.f("ck_talent_nomination_nlqf_target")),
        sa.ForeignKeyConstraint(["nominee_id"], ["user_account.id"],
                                name=op.f("fk_talent_nomination_nominee_id_user_account"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["nominator_id"], ["user_account.id"],
                                name=op.f("fk_talent_nomination_nominator_id_user_account"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_talent_nomination_organisation_id_organisation"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talent_nomination")),
    )
    with op.batch_alter_table("talent_nomination", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_talent_nomination_nominee_id"), ["nominee_id"])
        batch_op.create_index(batch_op.f("ix_talent_nomination_nominator_id"), ["nominator_id"])
        batch_op.create_index(batch_op.f("ix_talent_nomination_organisation_id"),
                              ["organisation_id"])

    op.create_table(
        "talent_ambassador",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("activities", sa.JSON(), nullable=False),
        sa.Column("offer", sa.String(length=500), nullable=False),
        sa.Column("listed_at", lms.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", lms.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_talent_ambassador_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_talent_ambassador_organisation_id_organisation"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talent_ambassador")),
        sa.UniqueConstraint("user_id", name=op.f("uq_talent_ambassador_user_id")),
    )
    with op.batch_alter_table("talent_ambassador", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_talent_ambassador_organisation_id"),
                              ["organisation_id"])

    op.create_table(
        "talent_stay_conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("planned_for", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("created_at", lms.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", lms.models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('planned', 'held', 'cancelled')",
                           name=op.f("ck_talent_stay_conversation_status")),
        sa.ForeignKeyConstraint(["teacher_id"], ["user_account.id"],
                                name=op.f("fk_talent_stay_conversation_teacher_id_user_account"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["manager_id"], ["user_account.id"],
                                name=op.f("fk_talent_stay_conversation_manager_id_user_account"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"],
            name=op.f("fk_talent_stay_conversation_organisation_id_organisation"),
            ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talent_stay_conversation")),
    )
    with op.batch_alter_table("talent_stay_conversation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_talent_stay_conversation_teacher_id"),
                              ["teacher_id"])
        batch_op.create_index(batch_op.f("ix_talent_stay_conversation_manager_id"),
                              ["manager_id"])
        batch_op.create_index(batch_op.f("ix_talent_stay_conversation_organisation_id"),
                              ["organisation_id"])
        batch_op.create_index(batch_op.f("ix_talent_stay_conversation_held_on"), ["held_on"])

    op.create_table(
        "talent_stay_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("added_by", sa.String(length=8), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("created_at", lms.models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint("added_by IN ('teacher', 'manager')",
                           name=op.f("ck_talent_stay_outcome_added_by")),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["talent_stay_conversation.id"],
            name=op.f("fk_talent_stay_outcome_conversation_id_talent_stay_conversation"),
            ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["goal_id"], ["development_goal.id"],
                                name=op.f("fk_talent_stay_outcome_goal_id_development_goal"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talent_stay_outcome")),
    )
    with op.batch_alter_table("talent_stay_outcome", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_talent_stay_outcome_conversation_id"),
                              ["conversation_id"])

    op.create_table(
        "talent_manager_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", lms.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["talent_stay_conversation.id"],
            name=op.f("fk_talent_manager_note_conversation_id_talent_stay_conversation"),
            ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["manager_id"], ["user_account.id"],
                                name=op.f("fk_talent_manager_note_manager_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talent_manager_note")),
        sa.UniqueConstraint("conversation_id",
                            name=op.f("uq_talent_manager_note_conversation_id")),
    )
    with op.batch_alter_table("talent_manager_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_talent_manager_note_manager_id"), ["manager_id"])


def downgrade():
    op.drop_table("talent_manager_note")
    op.drop_table("talent_stay_outcome")
    op.drop_table("talent_stay_conversation")
    op.drop_table("talent_ambassador")
    op.drop_table("talent_nomination")
