"""Benchmark data generator: organisations, people, content and progress in bulk.

    python bench/generate.py --size M [--database-url URL] [--reset] [--seed 1]

The rows are written by ``lms.generator``, the generator the demo region (``lms demo``) uses
too. Sizes: S = 100 learners, M = 1,000, L = 10,000 (up to 1,000 lessons and 1,000,000 progress
events). The database comes from --database-url or LMS_DATABASE_URL (SQLite or PostgreSQL);
it is migrated first. Rows are written with core ``insert()`` executemany in batches, ids
assigned here (so nothing is read back). Derived states (lesson, course and track states,
credentials) are computed from the generated events, as ``record_progress`` would.

The database should be dedicated to benchmarks: when it already holds people the generator
refuses, unless --reset is given, which empties every table first. Every account's
password is ``bench-password``; e-mail addresses are ``learner<n>@bench.example`` etc.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms.generator import Content, Plan, Writer, reset_sequences, walk_of  # noqa: E402
from lms.generator import build_progress as generate_progress  # noqa: E402

PASSWORD = "bench-password"
EPOCH = datetime(2023, 9, 1, 7, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Size:
    learners: int
    boards: int
    schools_per_board: int
    courses: int
    lessons_per_course: int
    events_per_learner: int


SIZES = {
    "S": Size(100, 2, 3, 10, 10, 100),
    "M": Size(1_000, 4, 5, 25, 20, 100),
    "L": Size(10_000, 10, 10, 50, 20, 100),
}
FRAMEWORKS = {
    "bekwaamheidseisen": ("Bekwaamheidseisen leraren (2017)", "competences",
                          ["vakinhoudelijk", "vakdidactisch", "pedagogisch"]),
    "velon": ("Beroepsstandaard lerarenopleiders", "competences",
              ["opleidingsdidactisch", "agogisch", "organisatorisch", "ontwikkelingsbekwaam"]),
    "mbo-kerntaken": ("Kerntaken mbo-docent", "competences",
                      ["professional", "ontwikkelen", "uitvoeren", "loopbaanbegeleiding", "bpv",
                       "examinering"]),
    "nlqf": ("NLQF-niveaus", "levels", ["4", "5", "6", "7", "8"]),
}
LESSON_HTML = "<p>" + ("Een korte alinea lesstof over goed begeleiden in de school. " * 12) + "</p>"


def utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def password_hash() -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD, method="scrypt")  # once, shared by every account


def build_people(w: Writer, size: Size, rnd: random.Random) -> dict:
    """Region → boards → schools; per school learners, mentors and a schoolopleider."""
    now = utc(EPOCH)
    orgs, org_id = [], 0

    def org(kind, name, parent, sector=None):
        nonlocal org_id
        org_id += 1
        orgs.append({"id": org_id, "parent_id": parent, "kind": kind, "name": name,
                     "sector": sector, "created_at": now})
        return org_id

    region = org("region", "Bench regio", None)
    schools = []
    for b in range(size.boards):
        board = org("board", f"Bestuur {b + 1}", region)
        for s in range(size.schools_per_board):
            sector = ("po", "vo", "mbo")[(b + s) % 3]
            schools.append((board, org("school", f"School {b + 1}.{s + 1}", board, sector)))
    w.insert("organisation", orgs)

    pw = password_hash()
    users, roles, mentors_of = [], [], []
    uid = rid = 0

    def person(kind, n, org_ids_roles, **extra):
        nonlocal uid, rid
        uid += 1
        users.append({"id": uid, "email": f"{kind}{n}@bench.example", "name": f"{kind.title()} {n}",
                      "password_hash": pw, "locale": "nl", "active": True,
                      "nlqf_level": extra.get("nlqf_level"), "nlqf_target": extra.get("nlqf_target"),
                      "auth_version": 1, "created_at": now - timedelta(days=rnd.randint(0, 1500)),
                      "last_login_at": None})
        for role, oid in org_ids_roles:
            rid += 1
            roles.append({"id": rid, "user_id": uid, "organisation_id": oid, "role": role,
                          "created_at": now})
        return uid

    learners: list[tuple[int, int]] = []  # (user id, school id)
    mentors: dict[int, list[int]] = {}
    for i in range(size.learners):
        board, school = schools[i % len(schools)]
        level = rnd.choice([4, 5, 6, 6, 6, 7])
        learners.append((person("learner", i + 1, [("learner", school)], nlqf_level=level,
                                nlqf_target=min(8, level + rnd.choice([0, 1, 1, 2]))), school))
    for n in range(max(1, size.learners // 10)):
        board, school = schools[n % len(schools)]
        mentors.setdefault(school, []).append(person("mentor", n + 1, [("mentor", school)]))
    for n, (board, school) in enumerate(schools):
        person("schoolopleider", n + 1, [("schoolopleider", school), ("learner", school)])
    boards = sorted({b for b, _ in schools})
    for n, board in enumerate(boards):
        person("coordinator", n + 1, [("coordinator", board)])
    person("admin", 1, [("admin", region), ("author", region)])
    w.insert("user_account", users)
    w.insert("role_assignment", roles)

    pairs = []
    for n, (learner, school) in enumerate(learners):
        pool = mentors.get(school)
        if pool:
            pairs.append({"id": n + 1, "mentor_id": pool[n % len(pool)], "learner_id": learner,
                          "created_at": now})
    w.insert("mentor_assignment", pairs)
    return {"learners": [lid for lid, _ in learners], "users": uid}


def build_content(w: Writer, size: Size, rnd: random.Random) -> dict:
    """Frameworks, courses with lessons, and a few tracks over those courses."""
    now = utc(EPOCH)
    frameworks, competences, keys = [], [], []
    cid = 0
    for fid, (slug, (title, kind, codes)) in enumerate(FRAMEWORKS.items(), start=1):
        frameworks.append({"id": fid, "slug": slug, "title": title, "kind": kind, "description": "",
                           "source_path": "", "content_hash": ""})
        for pos, code in enumerate(codes):
            cid += 1
            detail = {"routes": [f"Route naar niveau {code}"]} if kind == "levels" else None
            competences.append({"id": cid, "framework_id": fid, "code": code,
                                "title": code.title(), "description": "", "position": pos,
                                "detail": detail})
            if kind != "levels":
                keys.append(f"{slug}:{code}")
    w.insert("competence_framework", frameworks)
    w.insert("competence", competences)

    courses, lessons, lesson_ids = [], [], {}
    lid = 0
    for c in range(1, size.courses + 1):
        courses.append({
            "id": c, "slug": f"cursus-{c}", "title": f"Cursus {c}", "summary": "Benchmarkcursus.",
            "audience": ["learner"], "sectors": ["po", "vo", "mbo"], "language": "nl",
            "hours": float(rnd.choice([4, 8, 12, 28])), "nlqf": rnd.choice([None, 5, 6, 7]),
            "competences": rnd.sample(keys, 2), "prerequisites": [], "version": "1",
            "intro_html": "<p>Introductie.</p>", "source_path": f"cursus-{c}/course.md",
            "content_hash": hashlib.sha256(f"c{c}".encode()).hexdigest(), "archived": False,
            "updated_at": now})
        lesson_ids[c] = []
        for n in range(1, size.lessons_per_course + 1):
            lid += 1
            lesson_ids[c].append(lid)
            lessons.append({
                "id": lid, "course_id": c, "slug": f"les-{n}", "title": f"Les {n}", "type": "page",
                "position": n, "minutes": 20, "required": n % 7 != 0,
                "competences": [rnd.choice(keys)] if n % 5 == 0 else [], "settings": {},
                "html": LESSON_HTML, "source_path": f"cursus-{c}/{n:02d}-les.md",
                "content_hash": hashlib.sha256(f"l{lid}".encode()).hexdigest(),
                "archived": False, "updated_at": now})
    w.insert("course", courses)
    w.insert("lesson", lessons)

    tracks, track_courses = [], []
    n_tracks = 5
    per_track = max(2, min(6, size.courses // n_tracks))
    tcid = 0
    track_course_ids = {}
    for t in range(1, n_tracks + 1):
        tracks.append({
            "id": t, "slug": f"route-{t}", "title": f"Leerroute {t}", "summary": "", "audience": ["learner"],
            "sectors": ["po", "vo"], "language": "nl", "nlqf": 6, "intro_html": "",
            "duration_months": rnd.choice([12, 24, 36]), "hours_target": 120.0,
            "credential_name": f"Bewijs leerroute {t}" if t % 2 else None,
            "credential_validity_years": 5 if t % 2 else None, "source_path": f"tracks/route-{t}.md",
            "content_hash": hashlib.sha256(f"t{t}".encode()).hexdigest(), "archived": False})
        first = (t - 1) * per_track % size.courses
        chosen = [(first + k) % size.courses + 1 for k in range(per_track)]
        track_course_ids[t] = chosen
        for pos, course in enumerate(chosen):
            tcid += 1
            track_courses.append({
                "id": tcid, "track_id": t, "course_id": course, "required": pos < per_track - 1,
                "position": pos, "after": [f"cursus-{chosen[0]}"] if pos else []})
    w.insert("track", tracks)
    w.insert("track_course", track_courses)
    lesson_required = {row["id"]: row["required"] for row in lessons}
    return {"lessons": lesson_ids, "tracks": track_course_ids, "courses": courses,
            "track_rows": tracks, "track_course_rows": track_courses,
            "lesson_required": lesson_required}


def content_index(built: dict) -> Content:
    """The generated courses and tracks as ``lms.generator.Content``."""
    slugs = {c["id"]: c["slug"] for c in built["courses"]}
    object_ids = {lesson_id: f"{slugs[course_id]}/les-{n}"
                  for course_id, ids in built["lessons"].items()
                  for n, lesson_id in enumerate(ids, start=1)}
    track_courses: dict[int, list[tuple[int, bool]]] = {}
    for row in built["track_course_rows"]:
        track_courses.setdefault(row["track_id"], []).append((row["course_id"], row["required"]))
    return Content(built["lessons"], built["lesson_required"], object_ids, track_courses,
                   {t["id"]: t for t in built["track_rows"]})


def empty_database(conn, metadata) -> None:
    """Delete every row (not the schema); self-references are cut first."""
    if conn.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    for table in metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is table and fk.parent.nullable:
                conn.execute(table.update().values({fk.parent.name: None}))
    for table in reversed(metadata.sorted_tables):
        conn.execute(table.delete())


def generate(size_name: str, database_url: str, *, reset: bool = False, seed: int = 1) -> dict:
    """Fill the database; returns row counts and seconds taken."""
    from flask_migrate import upgrade

    from lms import create_app
    from lms.extensions import db

    size = SIZES[size_name]
    app = create_app({"DATABASE_URL": database_url})
    with app.app_context():
        upgrade(revision="heads")
        started = time.perf_counter()
        rnd = random.Random(seed)
        with db.engine.begin() as conn:
            existing = conn.execute(sa.text("SELECT COUNT(*) FROM user_account")).scalar_one()
            if existing and not reset:
                raise SystemExit(
                    f"the database already holds {existing} people; use --reset to empty it")
            if existing:
                empty_database(conn, db.metadata)
            w = Writer(conn, db.metadata)
            people = build_people(w, size, rnd)
            content = content_index(build_content(w, size, rnd))
            build_progress(w, size, rnd, people, content)
            reset_sequences(conn, db.metadata)
        seconds = time.perf_counter() - started
        db.engine.dispose()
    return {"size": size_name, "seconds": round(seconds, 1), "rows": w.counts}


def build_progress(w: Writer, size: Size, rnd: random.Random, people: dict,
                   content: Content) -> None:
    """Per learner one or two tracks, enrolled in the first two months after EPOCH, and about
    half the event budget walked (``lms.generator.build_progress`` writes the rows)."""
    budget = size.events_per_learner

    def plans():
        for user_id in people["learners"]:
            chosen = rnd.sample(sorted(content.tracks), rnd.choice([1, 1, 2]))
            enrolled_at = utc(EPOCH + timedelta(days=rnd.randint(0, 60),
                                                minutes=rnd.randint(0, 600)))
            walk = walk_of(content, chosen)
            done = min(len(walk), rnd.randint(max(1, budget // 2 - 10), budget // 2 - 1))
            yield Plan(user_id, chosen, enrolled_at, lessons_done=done)

    generate_progress(w, rnd, content, plans())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), required=True)
    parser.add_argument("--database-url", default=os.environ.get("LMS_DATABASE_URL"))
    parser.add_argument("--reset", action="store_true", help="empty every table first")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url or set LMS_DATABASE_URL")
    result = generate(args.size, args.database_url, reset=args.reset, seed=args.seed)
    print(f"size {result['size']}: generated in {result['seconds']} s")
    for table, count in sorted(result["rows"].items()):
        print(f"  {table:24} {count:>10,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
