"""Course import benchmark: ``python bench/import_bench.py N`` (N lessons, ~20 per course).

Generates realistic Dutch-ish Markdown in a temporary tree, imports it into a fresh SQLite
database, and reports lessons/s for the first import and seconds for an unchanged re-import;
then the same with every course's lessons in sections (four sub-folders of five lessons, two
of them nested, half with a section.yml), as adopted real-world material looks.
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path
from typing import Any

WORDS = ("de leerling werkplek begeleider feedback observatie les doel reflectie school "
         "leerlingen klas mentor gesprek ontwikkeling didactiek praktijk opdracht collega "
         "onderwijs kwaliteit planning toetsing differentiatie groep leren samen").split()


def sentence(rng: random.Random, n: int = 12) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def lesson_body(rng: random.Random, i: int) -> str:
    para = lambda: " ".join(sentence(rng) for _ in range(4))  # noqa: E731
    return f"""
## Inleiding {i}

{para()} Lees ook [de handreiking](https://example.org/handreiking-{i}) en [de vorige les](#inleiding-{i}).

- {sentence(rng, 6)}
- {sentence(rng, 7)}
- {sentence(rng, 5)}

## Aan de slag

{para()}

| Fase | Wat doe je? | Tijd |
|------|-------------|-----:|
| Voorbereiden | {sentence(rng, 4)} | 10 |
| Uitvoeren | {sentence(rng, 4)} | 20 |
| Nabespreken | {sentence(rng, 4)} | 15 |

```text
Observatieformulier {i}
- wat zag je?
- wat deed de leerling?
```

!!! note "Let op"
    {sentence(rng, 10)}

{para()}[^1]

[^1]: {sentence(rng, 6)}
"""


def lesson_folder(folder: Path, n: int, sections: bool) -> Path:
    """Where lesson ``n`` of a course goes: the course folder, or one of its sections."""
    if not sections:
        return folder
    part = n // 5
    target = folder / f"{part + 1:02d}-deel-{part}"
    if part % 2:  # every other section sits inside the one before it (nested)
        target = folder / f"{part:02d}-deel-{part - 1}" / f"{part + 1:02d}-verdieping-{part}"
    if not target.exists():
        target.mkdir(parents=True)
        if part % 2 == 0:
            (target / "section.yml").write_text(f"title: Deel {part}\norder: {part + 1}\n",
                                                encoding="utf-8")
    return target


def generate(root: Path, lessons: int, per_course: int = 20, sections: bool = False) -> None:
    rng = random.Random(42)
    (root / "frameworks").mkdir(parents=True)
    (root / "frameworks" / "bekwaamheidseisen.yml").write_text(
        "id: bekwaamheidseisen\ntitle: Bekwaamheidseisen\nitems:\n"
        "  - {code: pedagogisch, title: Pedagogisch bekwaam}\n"
        "  - {code: vakdidactisch, title: Vakdidactisch bekwaam}\n", encoding="utf-8")
    for c in range((lessons + per_course - 1) // per_course):
        folder = root / f"cursus-{c:04d}"
        folder.mkdir()
        (folder / "course.md").write_text(
            f"---\nid: cursus-{c}\ntitle: Cursus {c}\nsummary: {sentence(rng)}\n"
            f"audience: [learner, mentor]\nsectors: [po, vo]\nhours: 8\nnlqf: 6\n"
            f"competences: [bekwaamheidseisen:pedagogisch]\nversion: \"1.0\"\n---\n"
            f"{sentence(rng)}\n", encoding="utf-8")
        for n in range(min(per_course, lessons - c * per_course)):
            (lesson_folder(folder, n, sections) / f"{n + 1:02d}-les-{n}.md").write_text(
                f"---\nid: les-{n}\ntitle: {sentence(rng, 4)}\ntype: page\nminutes: 20\n"
                f"competences: [bekwaamheidseisen:vakdidactisch]\n---\n{lesson_body(rng, n)}",
                encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("lessons", type=int, nargs="?", default=1000)
    args = parser.parse_args()

    print(f"lessons: {args.lessons}")
    for sections in (False, True):
        (first_s, first_cpu), (again_s, again_cpu) = measure(args.lessons, sections)
        label = "with sections" if sections else "flat"
        print(f"{label}: first import {first_s:.2f} s = {args.lessons / first_s:.0f} lessons/s "
              f"({args.lessons / first_cpu:.0f} per CPU second); unchanged re-import "
              f"{again_s:.3f} s ({again_cpu:.3f} s CPU)")


def timed(work) -> tuple[Any, tuple[float, float]]:
    """``work()``'s result and its (wall, CPU) seconds: CPU time tells a busy machine apart."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, (time.perf_counter() - wall, time.process_time() - cpu)


def measure(lessons: int, sections: bool) -> tuple[tuple[float, float], tuple[float, float]]:
    """(wall, CPU) seconds for a first import and for an unchanged re-import, on a fresh
    database."""
    from flask_migrate import upgrade

    from lms import create_app
    from lms.content.importer import import_directory
    from lms.extensions import db
    from lms.models import Course

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        tree = tmp_path / "courses"
        generate(tree, lessons, sections=sections)
        app = create_app({"INSTANCE_PATH": tmp_path / "instance", "PLUGINS_DIRS": "",
                          "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite'}"})
        with app.app_context():
            upgrade(revision="heads")
            first, first_s = timed(lambda: import_directory(tree))
            db.session.remove()
            again, again_s = timed(lambda: import_directory(tree))
            assert all(bool(c.sections) == sections for c in db.session.query(Course))
            db.session.remove()
            db.engine.dispose()
        assert first["lessons"].added == lessons and not again.changed_anything
        return first_s, again_s


if __name__ == "__main__":
    main()
