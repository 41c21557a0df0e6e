"""Small SQL building blocks shared by the reports (portable between SQLite and PostgreSQL)."""
from __future__ import annotations

from sqlalchemy import Integer, case, distinct, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from lms.models.accounts import MentorAssignment, RoleAssignment, User

# Track progress buckets, in display order: (key, lowest percent, highest percent).
PROGRESS_BUCKETS = (("0", 0, 0), ("1-24", 1, 24), ("25-49", 25, 49), ("50-74", 50, 74),
                    ("75-99", 75, 99), ("100", 100, 100))
# Hours as a share of the benchmark.
HOURS_BUCKETS = (("0-24", 0, 24), ("25-49", 25, 49), ("50-74", 50, 74), ("75-99", 75, 99),
                 ("100+", 100, None))
# A learner is behind when their progress trails the share of time used by this many points.
BEHIND_MARGIN = 10


class days_between(FunctionElement):
    """Whole days from ``start`` (a timestamp or date) to ``end`` (a date)."""

    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return (f"CAST(julianday(date({compiler.process(end, **kw)})) - "
            f"julianday(date({compiler.process(start, **kw)})) AS INTEGER)")


@compiles(days_between, "postgresql")
def _days_pg(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"(CAST({compiler.process(end, **kw)} AS DATE) - CAST({compiler.process(start, **kw)} AS DATE))"


def bucket(value: ColumnElement, buckets) -> ColumnElement:
    """A CASE giving the key of the bucket ``value`` falls in."""
    whens = []
    for key, low, high in buckets:
        cond = value >= low if high is None else value.between(low, high)
        whens.append((cond, key))
    return case(*whens, else_=buckets[0][0])


def learner_ids(org_ids) -> select:
    """People with the learner role in any of the organisations (a SELECT of user ids)."""
    return (select(RoleAssignment.user_id)
            .where(RoleAssignment.role == "learner", RoleAssignment.organisation_id.in_(org_ids)))


def learner_schools(org_ids):
    """(user_id, school_id) pairs of learners in the organisations, as a subquery."""
    return (select(RoleAssignment.user_id.label("user_id"),
                   RoleAssignment.organisation_id.label("school_id"))
            .where(RoleAssignment.role == "learner", RoleAssignment.organisation_id.in_(org_ids))
            .subquery("learner_school"))


def mentor_counts():
    """Active mentors per learner, as a subquery (learner_id, mentors)."""
    return (select(MentorAssignment.learner_id.label("learner_id"),
                   func.count(distinct(MentorAssignment.mentor_id)).label("mentors"))
            .join(User, User.id == MentorAssignment.mentor_id)
            .where(User.active.is_(True))
            .group_by(MentorAssignment.learner_id)
            .subquery("mentor_count"))
