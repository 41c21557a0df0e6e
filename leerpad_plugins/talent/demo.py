"""The talent plugin's part of the demo region: per school a few talent nominations by the
schoolopleider and stay conversations held or planned, so the counts coordinators see are
not all zero. Motivations are short and the nominee's own to read; no manager's notes."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert, select

from lms.extensions import db
from lms.models import RoleAssignment

from .models import Nomination, StayConversation

MOTIVATIONS = ("Begeleidt starters in de sectie al vanzelf; zou een sterke werkplekbegeleider zijn.",
               "Denkt mee over het opleiden in de school en heeft er plezier in.",
               "Vertelt enthousiast over het vak: een goede ambassadeur op open dagen.")
NEXT_ROLE = {"mentor": ("schoolopleider", 0), "learner": ("werkplekbegeleider", 1)}


def add_talent(region) -> None:
    """Write nominations and stay conversations in bulk; commits."""
    rnd = random.Random(len(region.people))
    roles: dict[int, dict[str, list[int]]] = {}
    for user_id, school_id, role in db.session.execute(
            select(RoleAssignment.user_id, RoleAssignment.organisation_id, RoleAssignment.role)
            .where(RoleAssignment.user_id.in_(region.people))
            .order_by(RoleAssignment.organisation_id, RoleAssignment.user_id)):
        roles.setdefault(school_id, {}).setdefault(role, []).append(user_id)
    nominations, conversations = [], []
    for school_id, people in roles.items():
        nominator = (people.get("schoolopleider") or [None])[0]
        learners = [uid for uid in people.get("learner", []) if uid != nominator]
        if nominator is None or not learners:
            continue
        picks = [("mentor", uid) for uid in rnd.sample(people.get("mentor", []),
                                                     min(1, len(people.get("mentor", []))))]
        picks += [("learner", uid) for uid in rnd.sample(learners, min(2, len(learners)))]
        for kind, nominee in picks:
            role = NEXT_ROLE[kind][0] if rnd.random() < 0.8 else "ambassadeur"
            at = region.now - timedelta(days=rnd.randint(5, 200))
            status = rnd.choice(["open", "open", "accepted"])
            nominations.append({
                "nominee_id": nominee, "nominator_id": nominator, "organisation_id": school_id,
                "role": role, "nlqf_target": None, "motivation": rnd.choice(MOTIVATIONS),
                "status": status, "hidden": False, "created_at": at,
                "decided_at": at + timedelta(days=7) if status != "open" else None})
        for teacher in rnd.sample(learners, min(3, len(learners))):
            held = rnd.random() < 0.6
            day = region.today + timedelta(days=-rnd.randint(10, 170) if held
                                           else rnd.randint(5, 60))
            at = region.now - timedelta(days=rnd.randint(180, 200))
            conversations.append({
                "teacher_id": teacher, "manager_id": None, "organisation_id": school_id,
                "planned_for": day, "status": "held" if held else "planned",
                "held_on": day if held else None, "created_at": at, "updated_at": at})
    if nominations:
        db.session.execute(insert(Nomination), nominations)
    if conversations:
        db.session.execute(insert(StayConversation), conversations)
    db.session.commit()
