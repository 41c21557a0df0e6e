"""The demo region's people and their year: ~300 people in the demo's twelve schools, with
progress in the shipped tracks, hours, goals, deadlines and credentials, written in bulk by
``lms.generator``; plugins add their part (reflections, hand-ins, signed credentials) through
``lms_demo_region``.

Deterministic: the same seed gives the same people, names and walks; moments are relative to
today. ``lms.demo.create_demo_data`` calls ``generate_region`` once, when the region's
generated people are missing (a second run adds nothing).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from lms.extensions import db
from lms.generator import Content, Plan, Reached, Writer, build_progress, reset_sequences, walk_of
from lms.models import Lesson, Organisation, User

SEED = 17
# Generated learners per school sector: (kind, how many); mentors and a schoolopleider follow.
LEARNERS = {"po": (("starter", 13), ("zij-instromer", 7)),
            "vo": (("starter", 12), ("zij-instromer", 8)),
            "mbo": (("starter", 8), ("pdg", 12))}
MENTORS_PER_SCHOOL = 3
TRACK_OF = {"starter": "inductie-starters", "zij-instromer": "zij-instroom", "pdg": "pdg-mbo",
            "mentor": "werkplekbegeleider", "schoolopleider": "schoolopleider-brlo"}
# How far back enrolments go (days), per kind; most fall within the last year.
STARTED = {"starter": (20, 900), "zij-instromer": (20, 800), "pdg": (20, 620),
           "mentor": (40, 420), "schoolopleider": (60, 600)}
FIRST_NAMES = (
    "Anna Bas Bram Charlotte Daan Emma Eva Fleur Floor Gijs Hanna Hidde Ilse Isa Jan Jasmijn "
    "Jesse Joris Julia Kim Lars Laura Lieke Luuk Maaike Mark Marloes Max Merel Milan Nadia "
    "Niels Noor Olivier Pim Rik Roos Ruben Sara Sem Sophie Stijn Tess Thijs Tim Vera Wouter "
    "Yara Zeynep Mohamed Ayoub Fenna Koen Iris Mees Lina Sven Amira Hamza Esra").split()
SURNAMES = (
    "de Jong|Jansen|de Vries|van den Berg|van Dijk|Bakker|Janssen|Visser|Smit|Meijer|de Boer|"
    "Mulder|de Groot|Bos|Vos|Peters|Hendriks|van Leeuwen|Dekker|Brouwer|de Wit|Dijkstra|Smits|"
    "de Graaf|van der Meer|van der Linden|Kok|Jacobs|de Haan|Vermeulen|van den Heuvel|"
    "van der Veen|van den Broek|de Bruijn|de Bruin|van der Heijden|Schouten|van Beek|Willems|"
    "van Vliet|Hoekstra|Maas|Verhoeven|Koster|van Dam|Prins|Blom|Huisman|Peeters|Kuipers|"
    "El Idrissi|Yilmaz|Kaya|Öztürk|Bouzid|Haddou").split("|")
HOURS = (("cursus", "Cursusmiddag %s"), ("intervisie", "Intervisie %s"),
         ("studiedag", "Studiedag %s"), ("lezen", "Artikel gelezen over %s"),
         ("overig", "Collegiale consultatie %s"))
TOPICS = ("klassenmanagement", "formatief handelen", "differentiëren", "feedback geven",
          "taalontwikkeling", "werkdruk", "ouders betrekken", "begeleiden op de werkplek",
          "examinering", "burgerschap")
GOALS = ("Rustiger instructie geven", "Beter differentiëren in de les", "Feedback geven die werkt",
         "Mijn werkdruk beter verdelen", "Formatief toetsen inzetten",
         "Studenten begeleiden in de bpv")


@dataclass
class DemoWork:
    """A lesson a generated learner reached: completed at ``at``, or opened (in progress)."""

    user_id: int
    lesson: Lesson
    completed: bool
    at: datetime
    reviewer_id: int | None  # the learner's mentor, or None
    shared: bool  # whether the learner shared what they wrote with their mentor
    seed: int  # for the plugin's own random choices, so the region stays the same


@dataclass
class DemoRegion:
    """What ``lms_demo_region`` gets: the lessons reached and the people generated."""

    today: date
    now: datetime
    work: list[DemoWork] = field(default_factory=list)
    people: list[int] = field(default_factory=list)


@dataclass
class Person:
    kind: str  # starter, zij-instromer, pdg, mentor, schoolopleider, coordinator
    user_id: int
    school: Organisation | None
    started: datetime
    mentor_id: int | None = None


def generated(region_org: Organisation) -> bool:
    """Whether the region's generated people are there (one query)."""
    from lms.models import RoleAssignment

    board_ids = select(Organisation.id).where(Organisation.parent_id == region_org.id)
    return db.session.scalar(
        select(RoleAssignment.id).where(RoleAssignment.role == "coordinator",
                                        RoleAssignment.organisation_id.in_(board_ids)).limit(1)
    ) is not None


def generate_region(orgs: dict[str, Organisation], named: dict[str, User], domain: str,
                    named_plans: dict[str, tuple[str, int, str | None]],
                    now: datetime | None = None, seed: int = SEED) -> DemoRegion:
    """Write the region's generated people and their year; commits, then asks the plugins
    (``lms_demo_region``) for their part. ``named_plans``: demo key → (track slug, days since
    enrolment, the lesson slug to stop at, waiting, or None for about halfway)."""
    from lms.plugins import get_pm

    now = now or datetime.now(timezone.utc)
    rnd = random.Random(seed)
    conn = db.session.connection()
    w = Writer(conn, db.metadata)
    content = Content.from_database(conn, db.metadata)
    track_ids = {row["slug"]: track_id for track_id, row in content.tracks.items()}
    people = _people(w, rnd, orgs, named, domain, now)
    assignments = set(db.session.scalars(select(Lesson.id).where(Lesson.type == "assignment")))
    demo_mentor = named["werkplekbegeleider"].id if "werkplekbegeleider" in named else None
    plans = [_plan(rnd, content, track_ids, person, now,
                   assignments if person.mentor_id == demo_mentor and person.kind == "starter"
                   else frozenset())
             for person in people
             if person.kind in TRACK_OF and TRACK_OF[person.kind] in track_ids]
    lesson_slugs = {oid.split("/", 1)[1]: lid for lid, oid in content.object_ids.items()}
    busy = _with_progress([user.id for user in named.values()])
    for key, (slug, days, stop_at) in named_plans.items():
        if key in named and slug in track_ids and named[key].id not in busy:
            plans.append(_named_plan(rnd, content, track_ids[slug], named[key].id, days,
                                     lesson_slugs.get(stop_at), now))
    plans = [p for p in plans if p is not None]
    reached = build_progress(w, rnd, content, plans)
    _hours_and_goals(w, rnd, [p.user_id for p in plans], now)
    reset_sequences(conn, db.metadata)
    db.session.commit()

    mentor_of = {p.user_id: p.mentor_id for p in people}
    mentor_of.update(_named_mentors(named))
    region = DemoRegion(now.date(), now, _work(rnd, reached, mentor_of),
                        [p.user_id for p in people])
    get_pm().hook.lms_demo_region(region=region)
    db.session.commit()
    return region


def _people(w: Writer, rnd: random.Random, orgs: dict[str, Organisation],
            named: dict[str, User], domain: str, now: datetime) -> list[Person]:
    """Learners, mentors and a schoolopleider per school, a coordinator per board."""
    users, roles, pairs, people = [], [], [], []
    taken = set(db.session.scalars(select(User.email).where(User.email.like(f"%@{domain}"))))
    names = iter(rnd.sample([(f, s) for f in FIRST_NAMES for s in SURNAMES],
                            len(FIRST_NAMES) * len(SURNAMES)))

    def person(kind, assigned, started):
        first, last = next(names)
        local = f"{first}.{last}".lower().replace(" ", "").replace("ö", "o")
        email, n = f"{local}@{domain}", 1
        while email in taken:
            n += 1
            email = f"{local}{n}@{domain}"
        taken.add(email)
        uid = w.next_id("user_account")
        level = {"pdg": rnd.choice([5, 6, 6]), "zij-instromer": rnd.choice([6, 7, 7])}.get(
            kind, rnd.choice([6, 6, 7]))
        users.append({"id": uid, "email": email, "name": f"{first} {last}", "password_hash": None,
                      "locale": "nl", "active": True, "nlqf_level": level,
                      "nlqf_target": max(level, 6) if kind in ("pdg", "zij-instromer") else None,
                      "auth_version": 1, "created_at": started, "last_login_at": None})
        for role, org in assigned:
            roles.append({"id": w.next_id("role_assignment"), "user_id": uid,
                          "organisation_id": org.id, "role": role, "created_at": started})
        return uid, started

    def started(kind):
        low, high = STARTED.get(kind, (300, 900))
        return now - timedelta(days=rnd.randint(low, high) + 3, hours=rnd.randint(0, 8))

    schools = [org for org in orgs.values() if org.kind == "school"]
    named_mentor = named.get("werkplekbegeleider")
    named_so = {org.id for org in (named["schoolopleider"].orgs_with_role("schoolopleider")
                                   if "schoolopleider" in named else [])}
    for school in schools:
        guided_by_named = named_mentor is not None and any(
            r.organisation_id == school.id for r in named_mentor.roles)
        pool = [person("mentor", [("mentor", school)], started("mentor"))
                for _ in range(MENTORS_PER_SCHOOL - guided_by_named)]
        people += [Person("mentor", uid, school, at) for uid, at in pool]
        guides = [uid for uid, _at in pool] + ([named_mentor.id] if guided_by_named else [])
        if school.id not in named_so:
            uid, at = person("schoolopleider", [("schoolopleider", school), ("learner", school)],
                             started("schoolopleider"))
            people.append(Person("schoolopleider", uid, school, at))
        for kind, count in LEARNERS[school.sector or "po"]:
            for _ in range(count):
                uid, at = person(kind, [("learner", school)], started(kind))
                mentor = guides[len(pairs) % len(guides)] if rnd.random() > 0.06 else None
                if mentor is not None:
                    pairs.append({"id": w.next_id("mentor_assignment"), "mentor_id": mentor,
                                  "learner_id": uid, "created_at": at})
                people.append(Person(kind, uid, school, at, mentor))
    for org in orgs.values():
        if org.kind == "board":
            uid, at = person("coordinator", [("coordinator", org)], now - timedelta(days=800))
            people.append(Person("coordinator", uid, None, at))
    w.insert("user_account", users)
    w.insert("role_assignment", roles)
    w.insert("mentor_assignment", pairs)
    return people


def _plan(rnd: random.Random, content: Content, track_ids: dict[str, int], person: Person,
          now: datetime, waiting_at: set[int] = frozenset()) -> Plan:
    """Enrolled when the person started; done as far as their own pace took them. With
    ``waiting_at`` (assignment lessons), the walk stops at the first one: handed in, waiting."""
    track_id = track_ids[TRACK_OF[person.kind]]
    enrolled_at = person.started + timedelta(days=rnd.randint(1, 10))
    walk = walk_of(content, [track_id])
    months = content.tracks[track_id]["duration_months"] or 12
    elapsed = (now - enrolled_at).days / (months * 30.4)
    pace = rnd.choice([0.3, 0.5, 0.7, 0.9, 1.0, 1.2, 1.5, 2.0])
    if person.kind == "mentor":
        pace *= 1.5
    required = sum(len(content.lessons[course_id])
                   for course_id, is_required in content.track_courses[track_id] if is_required)
    done = min(len(walk), int((required or len(walk)) * elapsed * pace))
    stops = [n for n, (_t, _c, lesson_id) in enumerate(walk) if lesson_id in waiting_at]
    if stops:
        done = stops[0]
    if person.kind == "schoolopleider" and rnd.random() < 0.5:
        # Prepared for BRLO registration about four years ago: the credential (valid four
        # years) expires within the coming months, for a few it has just expired.
        completed = now - timedelta(days=4 * 365 - rnd.choice([-20, 15, 40, 60, 85, 150, 240]))
        return _spread(person.user_id, track_id, completed - timedelta(days=250), len(walk),
                       completed, rnd)
    return _spread(person.user_id, track_id, enrolled_at, done, now, rnd)


def _spread(user_id: int, track_id: int, enrolled_at: datetime, done: int, now: datetime,
            rnd: random.Random) -> Plan:
    """Events spread from the enrolment up to a few hours ago."""
    until = now - timedelta(hours=rnd.randint(2, 72))
    minutes = max(60, int((until - enrolled_at).total_seconds() // 60))
    return Plan(user_id, [track_id], enrolled_at, done, until=until,
                gap_minutes=max(60, 2 * minutes // (2 * done + 2)))


def _named_plan(rnd, content, track_id, user_id, days, stop_lesson, now) -> Plan:
    walk = walk_of(content, [track_id])
    lessons = [lesson_id for _t, _c, lesson_id in walk]
    done = lessons.index(stop_lesson) if stop_lesson in lessons else len(lessons) // 2
    enrolled_at = now - timedelta(days=days, hours=3)
    return _spread(user_id, track_id, enrolled_at, done, now, rnd)


def _with_progress(user_ids: list[int]) -> set[int]:
    """Who has learned something already (an older demo someone clicked through): their own
    progress stays, the generator walks nobody twice."""
    from lms.models.progress import Enrolment, LessonState

    return set(db.session.scalars(
        select(Enrolment.user_id).where(Enrolment.user_id.in_(user_ids))
        .union(select(LessonState.user_id).where(LessonState.user_id.in_(user_ids)))))


def _named_mentors(named: dict[str, User]) -> dict[int, int]:
    from lms.models import MentorAssignment

    ids = [u.id for u in named.values()]
    return dict(db.session.execute(
        select(MentorAssignment.learner_id, MentorAssignment.mentor_id)
        .where(MentorAssignment.learner_id.in_(ids))).all())


def _hours_and_goals(w: Writer, rnd: random.Random, user_ids: list[int], now: datetime) -> None:
    """A few hours entries in the last year and, for some, a development goal."""
    hours, goals = [], []
    today = now.date()
    for uid in user_ids:
        for _ in range(rnd.randint(2, 9)):
            category, text = rnd.choice(HOURS)
            day = today - timedelta(days=rnd.randint(1, 360))
            at = datetime.combine(day, time(16, 0), timezone.utc)
            hours.append({"id": w.next_id("hours_entry"), "user_id": uid, "date": day,
                          "hours": rnd.choice([1, 1.5, 2, 2, 2.5, 3, 4, 6, 8]),
                          "category": category, "description": text % rnd.choice(TOPICS),
                          "evidence": "", "created_at": at, "updated_at": at})
        if rnd.random() < 0.4:
            at = now - timedelta(days=rnd.randint(10, 200))
            goals.append({"id": w.next_id("development_goal"), "user_id": uid,
                          "title": rnd.choice(GOALS), "description": "",
                          "status": rnd.choice(["planned", "in_progress", "in_progress", "achieved"]),
                          "target_date": today + timedelta(days=rnd.randint(-30, 240)),
                          "competences": [], "created_at": at, "updated_at": at})
    w.insert("hours_entry", hours)
    w.insert("development_goal", goals)


def _work(rnd: random.Random, reached: list[Reached], mentor_of: dict[int, int | None]
          ) -> list[DemoWork]:
    lessons = {lesson.id: lesson for lesson in db.session.scalars(
        select(Lesson).where(Lesson.id.in_({r.lesson_id for r in reached})))}
    work = []
    for item in reached:
        mentor = mentor_of.get(item.user_id)
        work.append(DemoWork(item.user_id, lessons[item.lesson_id], item.completed, item.at,
                             mentor, shared=mentor is not None and rnd.random() < 0.6,
                             seed=rnd.getrandbits(32)))
    return work
