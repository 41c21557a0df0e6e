"""The reflection plugin's part of the demo region: the generated learners' own logbook
entries for the reflection lessons they reached (every prompt of a completed lesson, the
first of one in progress), some shared with their mentor."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert

from lms.extensions import db

from .models import ReflectionEntry
from .portfolio import prompts

OPENINGS = ("Als ik eerlijk ben:", "Wat me opviel deze weken:", "Terugkijkend:",
            "Na het gesprek met mijn begeleider:", "In mijn klas merkte ik dat")
THOUGHTS = (
    "ik plan mijn voorbereiding nu op vaste middagen, en dat geeft rust.",
    "de eerste tien minuten van de les bepalen veel; daar ga ik bewuster mee om.",
    "ik neem te vaak nakijkwerk mee naar huis. Ik probeer één avond per week vrij te houden.",
    "leerlingen reageren beter als ik de opdracht eerst voordoe.",
    "ik wil vaker vragen stellen in plaats van het antwoord te geven.",
    "het gesprek met collega's in de sectie helpt me meer dan ik dacht.",
    "ik merk dat ik energie krijg van de lessen waarin leerlingen zelf aan de slag gaan.",
    "feedback van mijn mentor op één concreet moment helpt meer dan een algemeen oordeel.",
)


def add_entries(region) -> None:
    """Write the entries in bulk; commits."""
    rows = []
    for work in region.work:
        if work.lesson.type != "reflection":
            continue
        rnd = random.Random(work.seed)
        answered = prompts(work.lesson) if work.completed else prompts(work.lesson)[:1]
        for number, prompt in enumerate(answered):
            at = work.at - timedelta(minutes=10 * (len(answered) - number))
            text = f"{rnd.choice(OPENINGS)} {rnd.choice(THOUGHTS)} {rnd.choice(THOUGHTS)}"
            rows.append({"user_id": work.user_id, "lesson_id": work.lesson.id,
                         "prompt_id": prompt["id"], "text": text, "shared": work.shared,
                         "shared_at": work.at if work.shared else None, "created_at": at,
                         "updated_at": at})
    if rows:
        db.session.execute(insert(ReflectionEntry), rows)
    db.session.commit()
