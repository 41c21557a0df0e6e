"""Course import benchmark: ``python bench/import_bench.py N`` (N lessons, ~20 per course).

Generates realistic Dutch-ish Markdown in a temporary tree, imports it into a fresh SQLite
database, and reports lessons/s for the first import and seconds for an unchanged re-import;
then the same with every course's lessons in sections (four sub-folders of five lessons, two
of them nested, half with a section.yml), as adopted real-world material looks.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
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
    from lms.content.pool import usable_workers

    cores = usable_workers()
    print(f"lessons: {args.lessons}; cores this process may use: {cores}")
    for sections in (False, True):
        label = "with sections" if sections else "flat"
        for workers in sorted({1, cores}):
            (first_s, first_cpu), (again_s, again_cpu) = measure(args.lessons, sections, workers)
            print(f"{label}, in-process, {workers} worker(s): first import {first_s:.2f} s = "
                  f"{args.lessons / first_s:.0f} lessons/s ({args.lessons / first_cpu:.0f} per "
                  f"CPU second); unchanged re-import {again_s:.3f} s "
                  f"({again_cpu:.3f} s CPU)")
        whole, again, start = through_cli(args.lessons, sections)
        print(f"{label}, `lms courses import` with the bundled plugins: {whole:.2f} s = "
              f"{args.lessons / whole:.0f} lessons/s start-up included, "
              f"{args.lessons / (whole - start):.0f} lessons/s net of the {start:.2f} s "
              f"start-up (`lms plugins`); unchanged re-import {again:.2f} s")


def timed(work) -> tuple[Any, tuple[float, float]]:
    """``work()``'s result and its (wall, CPU) seconds, the CPU of render workers included:
    CPU time tells a busy machine apart."""
    wall, cpu = time.perf_counter(), _cpu()
    result = work()
    return result, (time.perf_counter() - wall, _cpu() - cpu)


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def measure(lessons: int, sections: bool,
            workers: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """(wall, CPU) seconds for a first import and for an unchanged re-import, on a fresh
    database, in this process (no plugins)."""
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
            first, first_s = timed(lambda: import_directory(tree, workers=workers))
            db.session.remove()
            again, again_s = timed(lambda: import_directory(tree, workers=workers))
            assert all(bool(c.sections) == sections for c in db.session.query(Course))
            db.session.remove()
            db.engine.dispose()
        assert first["lessons"].added == lessons and not again.changed_anything
        return first_s, again_s


def through_cli(lessons: int, sections: bool) -> tuple[float, float, float]:
    """Wall seconds of ``lms courses import DIR`` as an author runs it (a new process, the
    bundled plugins loaded, default workers), first and again unchanged, and of the same
    start-up without an import (``lms plugins``). The database is made beforehand with
    ``lms db upgrade``, which is not timed."""
    lms = str(Path(sys.executable).with_name("lms"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        tree = tmp_path / "courses"
        generate(tree, lessons, sections=sections)
        env = {**os.environ, "LMS_INSTANCE_PATH": str(tmp_path / "instance"),
               "LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite'}"}
        subprocess.run([lms, "db", "upgrade"], env=env, check=True, capture_output=True)
        seconds = []
        for command in (["courses", "import", str(tree)], ["courses", "import", str(tree)],
                        ["plugins"]):
            started = time.perf_counter()
            done = subprocess.run([lms, *command], env=env, capture_output=True, text=True)
            seconds.append(time.perf_counter() - started)
            if done.returncode:
                raise SystemExit(done.stdout + done.stderr)
        return seconds[0], seconds[1], seconds[2]


if __name__ == "__main__":
    main()
