"""Writing course files for authors: a new course skeleton, and front matter for plain Markdown."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lms.content.fields import SLUG
from lms.content.limits import Limits, TreeFiles
from lms.content.loader import SPECIAL_FOLDERS

_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


def slugify(text: str, fallback: str = "les") -> str:
    """A lowercase ASCII slug of at most 64 characters ("Één rol!" → "een-rol")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > 64:
        slug = slug[:64].rsplit("-", 1)[0] if "-" in slug[:64] else slug[:64]
    return slug or fallback


def unique(slug: str, taken: set[str]) -> str:
    """``slug``, or ``slug-2``, ``slug-3``… when taken; the result is added to ``taken``."""
    candidate, n = slug, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate = slug[:64 - len(suffix)] + suffix
        n += 1
    taken.add(candidate)
    return candidate


def front_matter(meta: dict[str, Any], body: str) -> str:
    """A ``---`` block with one ``key: value`` line per key (lists inline), then the body."""
    lines = [f"{key}: {_flow(value)}" for key, value in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body


def _flow(value: Any) -> str:
    dumped = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000)
    return dumped.rstrip("\n").removesuffix("\n...").strip()


def new_course(parent: Path, slug: str) -> list[Path]:
    """Create ``parent/slug`` with a course.md and one example lesson; returns the new files."""
    if not SLUG.match(slug) or len(slug) > 64:
        raise ValueError(f"'{slug}' is not a valid id: use lowercase letters, digits and hyphens")
    folder = parent / slug
    if folder.exists():
        raise FileExistsError(f"{folder} already exists")
    (folder / "media").mkdir(parents=True)
    title = slug.replace("-", " ").capitalize()
    course = folder / "course.md"
    course.write_text(front_matter(
        {"id": slug, "title": title, "summary": "Eén of twee zinnen voor de catalogus.",
         "audience": ["learner"], "sectors": ["po", "vo", "mbo"], "language": "nl", "hours": 1,
         "competences": [], "prerequisites": [], "version": "1.0"},
        f"\nInleiding van de cursus *{title}*: voor wie is ze en wat leer je?\n"), encoding="utf-8")
    lesson = folder / "01-welkom.md"
    lesson.write_text(front_matter(
        {"id": "welkom", "title": "Welkom", "type": "page", "minutes": 10, "required": True},
        "\n## Waar gaat deze les over?\n\nSchrijf hier de lestekst in Markdown.\n\n"
        "!!! note \"Tip\"\n    Zet afbeeldingen in `media/` en verwijs ernaar met "
        "`![beschrijving](media/foto.png)`.\n"), encoding="utf-8")
    return [course, lesson]


def _split(text: str) -> tuple[bool, str]:
    return text.startswith("---") and text.split("\n", 1)[0].strip() == "---", text


def _existing_id(path: Path) -> str | None:
    text = path.read_text(encoding="utf-8-sig")
    if not _split(text)[0]:
        return None
    match = re.search(r"^id:\s*['\"]?([^'\"\s]+)", text, re.M)
    return match.group(1) if match else None


def _title(text: str, path: Path) -> str:
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            return match.group(1).strip()
    stem = re.sub(r"^[\d_. -]+", "", path.stem) or path.stem
    return stem.replace("-", " ").replace("_", " ").strip().capitalize()


def _course_folders(directory: Path) -> list[Path]:
    """``directory`` itself when it is a course folder, else its course subfolders."""
    subfolders = [p for p in sorted(directory.iterdir()) if p.is_dir()
                  and p.name not in SPECIAL_FOLDERS and not p.name.startswith((".", "_"))
                  and any(p.glob("*.md"))]
    if (directory / "course.md").exists() or not subfolders:
        return [directory]
    return subfolders


@dataclass
class Adoption:
    """What ``adopt`` did: the files it gave front matter, and why it left others alone."""

    changed: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def adopt(directory: Path) -> Adoption:
    """Give plain Markdown files front matter (id, title, type: page).

    Files that already have front matter are left alone. A course folder without course.md
    gets one. Ids come from the first heading (or the file name) and are made unique.
    Symbolic links are skipped with a message: adopt writes only real files, so it never
    writes through a link into a file outside the course tree.
    """
    directory = Path(directory)
    folders = _course_folders(directory)
    tree = directory.parent if folders == [directory] else directory
    files = TreeFiles(tree, Limits())
    done = Adoption()

    def real(path: Path) -> bool:
        if not path.is_symlink():
            return True
        reason = files.outside(path) or "is a symbolic link; adopt only edits real files"
        done.skipped.append(f"skipped {path}: {reason}")
        return False

    course_ids = {i for f in tree.glob("*/course.md")
                  if files.outside(f) is None and (i := _existing_id(f))}
    for folder in (f for f in folders if f == directory or real(f)):
        lessons = [p for p in sorted(folder.glob("*.md"))
                   if p.name != "course.md" and (p.is_symlink() or p.is_file()) and real(p)]
        taken = {i for p in lessons if (i := _existing_id(p))}
        for path in lessons:
            text = path.read_text(encoding="utf-8-sig")
            if _split(text)[0]:
                continue
            title = _title(text, path)
            meta = {"id": unique(slugify(title), taken), "title": title, "type": "page"}
            path.write_text(front_matter(meta, "\n" + text), encoding="utf-8")
            done.changed.append(path)
        course = folder / "course.md"
        if not real(course):
            continue
        text = course.read_text(encoding="utf-8-sig") if course.exists() else ""
        if not _split(text)[0] and (lessons or course.exists()):
            title = _title(text, course) if text else folder.name.replace("-", " ").capitalize()
            slug = unique(slugify(folder.name if not text else title, "cursus"), course_ids)
            meta = {"id": slug, "title": title, "summary": "", "language": "nl",
                    "version": "1.0"}
            course.write_text(front_matter(meta, "\n" + text), encoding="utf-8")
            done.changed.append(course)
    return done
