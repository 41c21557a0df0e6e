"""The assignment plugin's part of the demo region: for the assignment lessons the generated
learners reached, their hand-in, approved by their mentor with feedback when the lesson is
completed, waiting for sign-off when it is not."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert

from lms.extensions import db
from lms.models import User

from .models import AssignmentSubmission
from .work import Rules

WORK = (
    "Mijn plan in het kort: vaste voorbereidingsmiddag op dinsdag, nakijken op school, en de "
    "zondag blijft vrij. Besproken met mijn begeleider op {day}.",
    "Hierbij mijn uitwerking. Ik heb de opdracht uitgevoerd in mijn eigen klas en de "
    "observaties van twee lessen verwerkt. De reflectie staat aan het eind.",
    "In de bijlage-tekst hieronder beschrijf ik wat ik heb gedaan, wat het opleverde en wat ik "
    "de volgende keer anders doe. Mijn leerlingen gaven zelf ook feedback.",
)
FEEDBACK = (
    "Helder en concreet. Goed dat je je stoplicht met je sectie hebt gedeeld.",
    "Mooi uitgewerkt; let bij de volgende opdracht op het onderbouwen van je keuzes.",
    "Sterk hoe je de feedback van je leerlingen hebt gebruikt. Akkoord.",
)


def add_submissions(region) -> None:
    """Write the hand-ins in bulk; commits."""
    rows = []
    for work in region.work:
        if work.lesson.type != "assignment":
            continue
        rnd = random.Random(work.seed)
        handed_in = work.at - timedelta(days=rnd.randint(2, 9)) if work.completed else work.at
        row = {"user_id": work.user_id, "lesson_id": work.lesson.id,
               "text": rnd.choice(WORK).format(day=handed_in.strftime("%d-%m")),
               "status": "submitted", "feedback": "", "criteria": None, "reviewer_id": None,
               "submitted_at": handed_in, "reviewed_at": None}
        if work.completed:
            row.update(status="approved", feedback=rnd.choice(FEEDBACK),
                       criteria=[{"criterion": c, "met": True}
                                 for c in Rules.of(work.lesson).criteria] or None,
                       reviewer_id=work.reviewer_id, reviewed_at=work.at)
        rows.append(row)
    if rows:
        db.session.execute(insert(AssignmentSubmission), rows)
    _notify(region)
    db.session.commit()


def _notify(region) -> None:
    """What the platform would have said: the reviewer that work waits, the learner that it
    was approved (the last month's)."""
    from lms.notify import link, notify_many

    items, moments = [], {}
    for number, work in enumerate(region.work):
        if work.lesson.type != "assignment" or work.reviewer_id is None:
            continue
        if work.completed and (region.now - work.at).days > 30:
            continue
        key = f"demo:{number}"
        if work.completed:
            items.append({"user": work.user_id, "kind": "item_approved", "key": key,
                          "params": {"item": work.lesson.title},
                          "link": link("learn.lesson", course_slug=work.lesson.course.slug,
                                       lesson_slug=work.lesson.slug)})
            moments[(work.user_id, key)] = work.at
        else:
            learner = db.session.get(User, work.user_id)
            items.append({"user": work.reviewer_id, "kind": "sign_off_requested", "key": key,
                          "params": {"learner": learner.name, "item": work.lesson.title},
                          "link": link("mentor.queue")})
            moments[(work.reviewer_id, key)] = work.at
    for note in notify_many(items):
        note.created_at = moments[(note.user_id, note.key)]
