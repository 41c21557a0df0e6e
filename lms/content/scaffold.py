"""Writing course files for authors: a new course skeleton, and front matter for plain
Markdown — whole real-world trees, sections and all (``adopt``)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lms.content.fields import SLUG
from lms.content.limits import Limits, TreeFiles
from lms.content.loader import MAX_FOLDER_DEPTH, SPECIAL_FOLDERS, readable_title


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
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    if not _split(text)[0]:
        return None
    match = re.search(r"^id:\s*['\"]?([^'\"\s]+)", text, re.M)
    return match.group(1) if match else None


def _existing_title(path: Path) -> str | None:
    text = path.read_text(encoding="utf-8-sig")
    match = re.search(r"^title:\s*['\"]?(.+?)['\"]?\s*$", text, re.M)
    return match.group(1) if match else None


# --- headings ------------------------------------------------------------------------------

# First headings that say nothing about the lesson: the file name (or folder) says more.
GENERIC_TITLES = {
    "introduction", "intro", "inleiding", "introductie", "overview", "overzicht", "index",
    "readme", "read me", "contents", "content", "inhoud", "inhoudsopgave", "table of contents",
    "summary", "samenvatting", "start", "welcome", "welkom", "getting started", "aan de slag",
    "home", "about", "over", "notes", "aantekeningen", "untitled", "naamloos", "main", "lesson",
    "les", "chapter", "hoofdstuk", "exercises", "opdrachten", "oefeningen", "todo",
}
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BLOCK_START = re.compile(r"^ {0,3}(?:[-*+>]|\d+[.)]|#|\||```|~~~)")


def is_generic(title: str) -> bool:
    """A heading such as "Introduction", "Inleiding" or "Overview" (any case, numbered or not)."""
    words = re.sub(r"^[\d.\s_-]+", "", title.lower()).strip(" .:!?")
    return words in GENERIC_TITLES or re.fullmatch(r"(?:lesson|les|chapter|hoofdstuk|part|"
                                                    r"deel)\s*\d+", words) is not None


@dataclass
class _Heading:
    level: int
    text: str
    start: int  # line index
    end: int  # the line after it (a setext heading has two)


def _headings(lines: list[str]) -> list[_Heading]:
    """The ATX and setext headings outside fenced code."""
    found: list[_Heading] = []
    in_fence = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        atx = _ATX.match(line)
        if atx and (atx.group(2) or "").strip():
            found.append(_Heading(len(atx.group(1)), atx.group(2).strip(), index, index + 1))
        elif (index + 1 < len(lines) and line.strip() and not _BLOCK_START.match(line)
              and (index == 0 or not lines[index - 1].strip())
              and _SETEXT.match(lines[index + 1])):
            level = 1 if lines[index + 1].strip()[0] == "=" else 2
            found.append(_Heading(level, line.strip(), index, index + 2))
    return found


def first_h1(text: str) -> str | None:
    """The text of the first level-1 heading outside fenced code, or None."""
    found = next((h for h in _headings(text.split("\n")) if h.level == 1), None)
    return _plain(found.text) if found else None


def _plain(text: str) -> str:
    """Heading text without Markdown emphasis or links ("**Functies** in [JS](x)" → ...)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[*_`]+", "", text).strip() or text


def body_without_title(text: str, drop_first_h1: bool) -> str:
    """The body with its first H1 taken out (when it became the title), and every heading one
    level lower when an H1 is still left, so the page's title is its only H1."""
    lines = text.split("\n")
    headings = _headings(lines)
    first = next((h for h in headings if h.level == 1), None)
    if drop_first_h1 and first is not None:
        end = first.end
        while end < len(lines) and not lines[end].strip() and end - first.end < 1:
            end += 1  # and the blank line after it
        del lines[first.start:end]
        headings = _headings(lines)
    if any(h.level == 1 for h in headings):
        for heading in reversed(headings):
            level = min(heading.level + 1, 6)
            lines[heading.start:heading.end] = [f"{'#' * level} {heading.text}"]
    return "\n".join(lines).lstrip("\n")


# --- adopt -----------------------------------------------------------------------------------


@dataclass
class Adoption:
    """What ``adopt`` did with every Markdown file: gave it front matter (``changed``), left
    it as it was because it had some (``kept``), or not, with the reason (``skipped``)."""

    changed: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    markdown: int = 0  # Markdown files found (course.md files that were there included)
    courses: list[Path] = field(default_factory=list)  # course.md files written


@dataclass
class _Plain:
    path: Path
    text: str
    h1: str | None
    section: str  # the readable title of its folder ("" in the course folder itself)
    title: str = ""


def _course_folders(directory: Path, as_course: bool) -> list[Path]:
    """``directory`` itself when it is a course folder, else its course subfolders."""
    if as_course or (directory / "course.md").exists():
        return [directory]
    subfolders = [p for p in sorted(directory.iterdir()) if p.is_dir()
                  and p.name not in SPECIAL_FOLDERS and not p.name.startswith((".", "_"))
                  and _has_markdown(p)]
    return subfolders or [directory]


def _markdown_below(folder: Path, depth: int) -> list[Path]:
    """The Markdown files in ``folder`` and its real sub-folders, within the depth limit."""
    found: list[Path] = []
    if depth > MAX_FOLDER_DEPTH:
        return found
    for path in sorted(folder.iterdir()):
        if path.suffix == ".md" and path.is_file():
            found.append(path)
        elif path.is_dir() and not path.is_symlink():
            found.extend(_markdown_below(path, depth + 1))
    return found


def _has_markdown(folder: Path, depth: int = 0) -> bool:
    if depth > MAX_FOLDER_DEPTH:
        return False
    for path in folder.iterdir():
        if path.name.startswith((".", "_")):
            continue
        if path.suffix == ".md" and path.is_file():
            return True
        if path.is_dir() and not path.is_symlink() and _has_markdown(path, depth + 1):
            return True
    return False


def adopt(directory: Path, as_course: bool = False) -> Adoption:
    """Give every plain Markdown file of a course tree front matter (id, title, type: page).

    ``directory`` is a tree of course folders, or one course folder (it has a course.md, or
    no sub-folder holds Markdown, or ``as_course``). Sub-folders of a course are its sections
    and are adopted whole. A title is the file's first H1, unless that is generic
    ("Introduction", "Inleiding", …) or the same in several files: then the file's name (or,
    when that is generic too, its folder's) made readable; titles are made distinct within a
    course. The H1 used as title leaves the body, and the body keeps no other H1. Ids come from
    the titles, unique within the course. Files that have front matter are left alone; a course
    folder without course.md gets one titled after the folder. Symbolic links are skipped with
    a message: adopt writes only real files, so it never writes through a link into a file
    outside the course tree.
    """
    directory = Path(directory)
    folders = _course_folders(directory, as_course)
    tree = directory.parent if folders == [directory] else directory
    files = TreeFiles(tree, Limits())
    done = Adoption()

    def real(path: Path) -> bool:
        if not path.is_symlink():
            return True
        reason = files.outside(path) or "is a symbolic link; adopt only edits real files"
        done.skipped.append(f"skipped {path}: {reason}")
        return False

    if folders != [directory]:
        for path in sorted(directory.glob("*.md")):
            done.markdown += 1
            done.skipped.append(f"not adopted {path}: a Markdown file at the top of the tree is "
                                "not part of a course (adopt the folder with --course to make "
                                "it one course)")
    course_ids = {i for f in tree.glob("*/course.md")
                  if files.outside(f) is None and (i := _existing_id(f))}
    for folder in (f for f in folders if f == directory or real(f)):
        _adopt_course(folder, files, done, real, course_ids)
    return done


def _adopt_course(folder: Path, files: TreeFiles, done: Adoption, real, course_ids: set[str]) -> None:
    limit = files.limits.file_max_bytes
    plain: list[_Plain] = []
    kept_titles: list[str] = []
    kept_before = len(done.kept)
    taken: set[str] = set()

    def visit(current: Path, section: str, depth: int) -> None:
        for path in sorted(current.iterdir()):
            if path.name.startswith("."):
                continue
            if path.is_dir():
                if path.name.startswith("_"):
                    for skipped in _markdown_below(path, depth + 1):
                        done.markdown += 1
                        done.skipped.append(f"not adopted {skipped}: in '{path.name}/': folders "
                                            "whose names start with '_' are skipped")
                elif depth + 1 > MAX_FOLDER_DEPTH:
                    done.skipped.append(f"not adopted {path}/: nested more than "
                                        f"{MAX_FOLDER_DEPTH} folders deep")
                elif real(path):
                    visit(path, readable_title(path.name), depth + 1)
                continue
            if path.suffix != ".md" or (depth == 0 and path.name == "course.md"):
                continue
            done.markdown += 1
            if not real(path):
                continue
            if path.stat().st_size > limit:
                done.skipped.append(f"not adopted {path}: larger than {limit:,} bytes, the most "
                                    "a course file may be")
                continue
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError:
                done.skipped.append(f"not adopted {path}: not UTF-8 text; save it as UTF-8")
                continue
            if _split(text)[0]:
                done.kept.append(path)
                if (i := _existing_id(path)):
                    taken.add(i)
                if (t := _existing_title(path)):
                    kept_titles.append(t)
                continue
            plain.append(_Plain(path, text.replace("\r\n", "\n"), first_h1(text), section))

    visit(folder, "", 0)
    _choose_titles(plain, kept_titles)
    for item in plain:
        meta = {"id": unique(slugify(item.title), taken), "title": item.title, "type": "page"}
        body = body_without_title(item.text, drop_first_h1=item.title == item.h1)
        item.path.write_text(front_matter(meta, "\n" + body), encoding="utf-8")
        done.changed.append(item.path)
    course = folder / "course.md"
    has_lessons = bool(plain) or len(done.kept) > kept_before
    done.markdown += course.exists()
    if not real(course):
        return
    text = course.read_text(encoding="utf-8-sig") if course.exists() else ""
    if _split(text)[0]:
        done.kept.append(course)
    elif has_lessons or course.exists():
        h1 = first_h1(text) if text else None
        title = h1 if h1 and not is_generic(h1) else readable_title(folder.name)
        slug = unique(slugify(folder.name if not text else title, "cursus"), course_ids)
        meta = {"id": slug, "title": title, "summary": "", "language": "nl", "version": "1.0"}
        course.write_text(front_matter(meta, "\n" + body_without_title(
            text, drop_first_h1=title == h1)), encoding="utf-8")
        done.changed.append(course)
        done.courses.append(course)


def _choose_titles(plain: list[_Plain], kept_titles: list[str]) -> None:
    """The first H1, else the file name, else the folder; then distinct within the course."""
    counts: dict[str, int] = {}
    for item in plain:
        if item.h1:
            counts[item.h1.lower()] = counts.get(item.h1.lower(), 0) + 1
    for item in plain:
        name = readable_title(re.sub(r"^[\d_. -]+", "", item.path.stem) or item.path.stem)
        if item.h1 and not is_generic(item.h1) and counts[item.h1.lower()] == 1:
            item.title = item.h1
        elif not is_generic(name):
            item.title = name
        elif item.section:
            item.title = item.section
        else:
            item.title = item.h1 or name
    seen = {t.lower() for t in kept_titles}
    duplicated = {t for t in (i.title.lower() for i in plain)
                  if sum(i.title.lower() == t for i in plain) + (t in seen) > 1}
    for item in plain:
        if item.title.lower() in duplicated and item.section \
                and item.section.lower() != item.title.lower():
            item.title = f"{item.title} ({item.section})"
    for item in plain:
        title, n = item.title, 2
        while title.lower() in seen:
            title = f"{item.title} ({n})"
            n += 1
        seen.add(title.lower())
        item.title = title
