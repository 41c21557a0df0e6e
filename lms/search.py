"""Catalogue search: full text over course titles and summaries, lesson titles and texts,
and track titles and summaries, behind one function for SQLite and PostgreSQL.

SQLite: the FTS5 table ``search_text``, kept up to date by triggers on course, lesson and
track (migration 0050), ranked by bm25. PostgreSQL: GIN indexes over
``to_tsvector('simple', ...)`` of the same texts, ranked by ts_rank. Both match every word
of the query as a prefix ("begeleid" finds "begeleiding"), without stemming or stop words,
so one query finds the same on both databases. ``search()`` is one query.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import text

from lms.extensions import db

WORD = re.compile(r"[^\W_]+")
MAX_QUERY = 200  # characters of the query that are read
MAX_TERMS = 8
MAX_TERM = 40
LIMIT = 500
LESSON_TITLES = 3  # matching lessons named per course
# A course found through one of its lessons ranks below one found by its own title/summary.
LESSON_WEIGHT = 0.5


@dataclass
class SearchHits:
    """What a query found: course and track ids by rank (higher is better) and, per course,
    the titles of lessons whose text matched."""

    query: str
    terms: list[str]
    courses: dict[int, float] = field(default_factory=dict)
    tracks: dict[int, float] = field(default_factory=dict)
    lessons: dict[int, list[str]] = field(default_factory=dict)


def terms(query: str | None) -> list[str]:
    """The words searched for: letters and digits, lowercased, each once, at most eight."""
    found: list[str] = []
    for word in WORD.findall((query or "")[:MAX_QUERY].lower()):
        word = word[:MAX_TERM]
        if word not in found:
            found.append(word)
    return found[:MAX_TERMS]


def search(query: str | None) -> SearchHits:
    """Courses, tracks and lessons (not archived) whose text holds every word of ``query``."""
    words = terms(query)
    hits = SearchHits((query or "").strip()[:MAX_QUERY], words)
    if not words:
        return hits
    dialect = db.session.get_bind().dialect.name
    rows = _postgresql(words) if dialect == "postgresql" else _sqlite(words)
    for kind, ref, course_id, title, rank in rows:
        rank = float(rank or 0)
        if kind == "track":
            hits.tracks[ref] = max(rank, hits.tracks.get(ref, rank))
            continue
        if kind == "lesson":
            rank *= LESSON_WEIGHT
            titles = hits.lessons.setdefault(course_id, [])
            if len(titles) < LESSON_TITLES:
                titles.append(title)
        hits.courses[course_id] = max(rank, hits.courses.get(course_id, rank))
    return hits


def _sqlite(words: list[str]):
    # Each word a quoted prefix; FTS5 ANDs them. Quotes inside words cannot occur (WORD).
    match = "{title body} : (" + " ".join(f'"{w}"*' for w in words) + ")"
    return db.session.execute(text(
        "SELECT s.kind, s.ref, s.course, s.title, -bm25(search_text, 4.0, 1.0) AS rank "
        "FROM search_text AS s "
        "LEFT JOIN course AS c ON c.id = s.course "
        "LEFT JOIN lesson AS l ON s.kind = 'lesson' AND l.id = s.ref "
        "LEFT JOIN track AS t ON s.kind = 'track' AND t.id = s.ref "
        "WHERE search_text MATCH :match "
        "AND (s.kind = 'track' AND t.archived = 0 "
        "     OR s.kind = 'course' AND c.archived = 0 "
        "     OR s.kind = 'lesson' AND c.archived = 0 AND l.archived = 0) "
        "ORDER BY rank DESC LIMIT :limit"), {"match": match, "limit": LIMIT}).all()


# The same expressions as the GIN indexes of migration 0050, so PostgreSQL uses them.
_PG_TEXT = {
    "course": "coalesce(c.title, '') || ' ' || coalesce(c.summary, '')",
    "lesson": "coalesce(l.title, '') || ' ' || coalesce(l.html, '')",
    "track": "coalesce(t.title, '') || ' ' || coalesce(t.summary, '')",
}


def _postgresql(words: list[str]):
    query = " & ".join(f"{w}:*" for w in words)
    vector = {kind: f"to_tsvector('simple', {expr})" for kind, expr in _PG_TEXT.items()}
    # only this module's constants are formatted in; the reader's words are the :query parameter
    return db.session.execute(text(
        "WITH q AS (SELECT to_tsquery('simple', :query) AS query) "  # nosec B608
        f"SELECT 'course' AS kind, c.id AS ref, c.id AS course, c.title, "
        f"ts_rank({vector['course']}, q.query) * 4 AS rank "
        f"FROM course AS c, q WHERE NOT c.archived AND {vector['course']} @@ q.query "
        f"UNION ALL SELECT 'lesson', l.id, l.course_id, l.title, ts_rank({vector['lesson']}, q.query) "
        f"FROM lesson AS l JOIN course AS c ON c.id = l.course_id, q "
        f"WHERE NOT l.archived AND NOT c.archived AND {vector['lesson']} @@ q.query "
        f"UNION ALL SELECT 'track', t.id, NULL, t.title, ts_rank({vector['track']}, q.query) * 4 "
        f"FROM track AS t, q WHERE NOT t.archived AND {vector['track']} @@ q.query "
        "ORDER BY rank DESC LIMIT :limit"), {"query": query, "limit": LIMIT}).all()


def include_name(name: str | None, type_: str, parent_names) -> bool:
    """For Alembic's comparison of models and database: the search table (and FTS5's own
    tables) and indexes are made by migration 0050, not by models."""
    if type_ == "table" and name and name.startswith("search_text"):
        return False
    if type_ == "index" and name and name.startswith("ix_search_"):
        return False
    return True
