"""The shipped conversation guide for stay conversations: a Markdown document in the
plugin's ``static/`` folder (Dutch, with an English version), offered as a page, as a
download, and — its "Agenda" chapter — on every conversation's page."""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import markdown
import nh3
from flask_babel import get_locale
from markupsafe import Markup

FILES = {"nl": "gespreksleidraad-stay-gesprek.md", "en": "stay-conversation-guide.en.md"}
# The agenda is the chapter with this heading (level 2) in each language's guide.
AGENDA_HEADINGS = {"nl": "Agenda", "en": "Agenda"}
ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "blockquote",
                "table", "thead", "tbody", "tr", "th", "td", "hr", "br", "code"}


def _language() -> str:
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "nl"


@lru_cache(maxsize=4)
def _text(language: str) -> str:
    return (resources.files(__package__) / "static" / FILES[language]).read_text("utf-8")


@lru_cache(maxsize=8)
def _render(text: str, shift: int) -> str:
    """Markdown to sanitised HTML, headings moved ``shift`` levels down."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"])
    if shift:
        html = re.sub(r"<(/?)h([1-6])>",
                      lambda m: f"<{m[1]}h{min(int(m[2]) + shift, 6)}>", html)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={})


def guide_file() -> tuple[str, str]:
    """(file name, Markdown text) of the guide in the reader's language."""
    language = _language()
    return FILES[language], _text(language)


def guide_html() -> Markup:
    return Markup(_render(_text(_language()), 0))  # nosec B704 (sanitised by nh3)


def agenda_markdown(text: str, heading: str) -> str:
    """The chapter under ``## <heading>`` up to the next level-2 heading."""
    found = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    return found[1].strip() if found else ""


def agenda_html() -> Markup:
    language = _language()
    text = agenda_markdown(_text(language), AGENDA_HEADINGS[language])
    return Markup(_render(text, 0))  # nosec B704 (sanitised by nh3)
