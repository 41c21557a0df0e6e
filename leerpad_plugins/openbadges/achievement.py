"""A track's achievement as Open Badges 3.0 describes it: name, description, criteria,
image, alignment to the track's competences, study load and qualification level.

Study load and level travel as extensions in the style of SURF edubadges
(``extensions:StudyLoadExtension`` with ``StudyLoad`` in hours, ``extensions:EQFExtension``
with ``EQF``, and ``extensions:NLQFExtension`` with ``NLQF``), defined by the small JSON-LD
context ``EXTENSIONS_CONTEXT`` that every credential carries inline, so they mean the same
to a JSON-LD processor years from now without a context file to fetch.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lms.extensions import db
from lms.models import Competence, CompetenceFramework, Track

from .did import base_url

EXTENSIONS = "https://w3id.org/openbadges/extensions#"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
EXTENSIONS_CONTEXT = {
    "extensions": EXTENSIONS,
    "Extension": "https://w3id.org/openbadges#Extension",
    "StudyLoad": {"@id": "extensions:StudyLoad", "@type": XSD_INTEGER},
    "EQF": {"@id": "extensions:EQF", "@type": XSD_INTEGER},
    "NLQF": {"@id": "extensions:NLQF", "@type": XSD_INTEGER},
}


def achievement_url(track_slug: str) -> str:
    return f"{base_url()}/openbadges/achievements/{track_slug}"


def competence_url(key: str) -> str:
    """The stable IRI of a competence (``framework:code``): its anchor on the platform's
    competences page."""
    return f"{base_url()}/openbadges/competences#{key}"


def competence_keys(track: Track) -> list[str]:
    """``framework:code`` of every competence the track's courses name, in course order."""
    keys: list[str] = []
    for entry in track.courses:
        for key in entry.course.competences or []:
            if key not in keys:
                keys.append(key)
    return keys


def alignments(track: Track) -> list[dict[str, Any]]:
    """One Alignment per competence of the track, each with a stable IRI on the platform
    (``…/openbadges/competences#framework:code``). One query."""
    keys = competence_keys(track)
    if not keys:
        return []
    wanted = {tuple(key.split(":", 1)) for key in keys if ":" in key}
    found = {(slug, c.code): (framework_title, c) for c, slug, framework_title in db.session.execute(
        select(Competence, CompetenceFramework.slug, CompetenceFramework.title)
        .join(CompetenceFramework, CompetenceFramework.id == Competence.framework_id)
        .where(CompetenceFramework.slug.in_({slug for slug, _code in wanted})))}
    result = []
    for key in keys:
        slug, _, code = key.partition(":")
        if (slug, code) not in found:
            continue
        framework_title, competence = found[(slug, code)]
        alignment = {"type": ["Alignment"], "targetType": "ceasn:Competency",
                     "targetName": competence.title,
                     "targetUrl": competence_url(key),
                     "targetFramework": framework_title, "targetCode": code}
        if competence.description:
            alignment["targetDescription"] = competence.description
        result.append(alignment)
    return result


def study_load_hours(track: Track) -> int:
    """The study load of the track's required courses, in whole hours."""
    return round(sum(entry.course.hours or 0 for entry in track.courses if entry.required))


def criteria_narrative(track: Track) -> str:
    """What earns it, in the track's language (a credential does not follow the reader)."""
    required = [entry.course.title for entry in track.courses if entry.required]
    listed = "\n".join(f"- {title}" for title in required)
    if (track.language or "nl").startswith("nl"):
        return (f"Afgerond: de leerroute {track.title}, met alle verplichte cursussen "
                f"(een vrijstelling telt als afgerond):\n\n{listed}")
    return (f"Completed the learning track {track.title}, with every required course "
            f"(an exemption counts as completed):\n\n{listed}")


def achievement(track: Track, name: str) -> dict[str, Any]:
    """The Achievement of ``track``'s credential, called ``name``."""
    data: dict[str, Any] = {
        "id": achievement_url(track.slug),
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": name,
        "description": track.summary or track.title,
        "criteria": {"narrative": criteria_narrative(track)},
        "image": {"id": f"{achievement_url(track.slug)}/image.png", "type": "Image",
                  "caption": name},
        "inLanguage": track.language or "nl",
        "humanCode": track.slug,
    }
    aligned = alignments(track)
    if aligned:
        data["alignment"] = aligned
    hours = study_load_hours(track)
    if hours:
        data["extensions:StudyLoadExtension"] = {
            "type": ["Extension", "extensions:StudyLoadExtension"], "StudyLoad": hours}
    if track.nlqf:
        # NLQF levels 1 to 8 are referenced to EQF levels 1 to 8 one to one.
        data["extensions:EQFExtension"] = {
            "type": ["Extension", "extensions:EQFExtension"], "EQF": track.nlqf}
        data["extensions:NLQFExtension"] = {
            "type": ["Extension", "extensions:NLQFExtension"], "NLQF": track.nlqf}
    return data
