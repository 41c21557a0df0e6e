"""Markdown → sanitised HTML, once, at import. Pages serve the stored result.

Sanitising uses an explicit allow-list (nh3): no scripts, styles, event handlers, frames or
SVG; URLs only http, https, mailto or relative; links get ``rel="noopener"``. Plugin
Markdown extensions run before the sanitiser, so their output is held to the same list.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import markdown
import nh3

from lms.content.budget import OverBudget, time_limit

# Where links to other lesson files point (the learner's lesson and course pages).
LESSON_URL = "/cursussen/{course}/{lesson}"
COURSE_URL = "/cursussen/{course}"

# Bump when the pipeline's output changes, so the next import re-renders every file.
RENDER_VERSION = "2"  # 2: links to lessons and courses on their Dutch paths

EXTENSIONS = ["tables", "fenced_code", "footnotes", "admonition", "toc"]
EXTENSION_CONFIGS = {"tables": {"use_align_attribute": True}}

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
# Dropped with their content (everything else outside TAGS keeps only its text).
CONTENT_TAGS = {"script", "style", "iframe", "object", "embed", "svg", "math", "template",
                "noscript", "textarea", "select", "title"}
ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "li": {"id"},
    "sup": {"id"},
    "details": {"open"},
}
URL_SCHEMES = {"http", "https", "mailto"}
ADMONITIONS = {"admonition", "note", "tip", "hint", "important", "warning", "caution",
               "attention", "danger", "error", "info", "example", "question", "quote"}
CODE_LANGUAGES = {"bash", "css", "csv", "html", "javascript", "json", "markdown", "python",
                  "shell", "sql", "text", "xml", "yaml"}
CLASSES = {
    "div": ADMONITIONS | {"toc", "footnote"},
    "p": {"admonition-title"},
    "a": {"footnote-ref", "footnote-backref"},
    "code": {f"language-{name}" for name in CODE_LANGUAGES},
    "ol": set(),
}


def sanitise(html: str, rewrite: Callable[[str], str | None] | None = None) -> str:
    """Clean HTML with the allow-list; ``rewrite`` maps relative URLs (None drops them)."""
    return nh3.clean(html, tags=TAGS, clean_content_tags=CONTENT_TAGS, attributes=ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener", allowed_classes=CLASSES,
                     strip_comments=True, url_relative=rewrite or _keep)


def _keep(url: str) -> str:
    return url


class RenderError(Exception):
    """Markdown that could not be rendered; ``str()`` tells the author why, on one line."""


class Renderer:
    """One configured Markdown converter, reused (and reset) for every file of an import.

    Each file gets ``seconds`` to render (0: no limit); a file that takes longer, nests too
    deeply for Python or makes a plugin's extension fail raises ``RenderError``.
    """

    def __init__(self, extra_extensions: Iterable[Any] = (), seconds: float = 0):
        self.seconds = seconds
        extensions = list(EXTENSIONS) + list(extra_extensions)
        self._md = markdown.Markdown(extensions=extensions, extension_configs=EXTENSION_CONFIGS,
                                     output_format="html")
        names = [e if isinstance(e, str) else f"{type(e).__module__}.{type(e).__name__}"
                 for e in extensions]
        self.fingerprint = hashlib.sha256(
            ("|".join([RENDER_VERSION, nh3.__version__ if hasattr(nh3, "__version__") else "",
                       markdown.__version__, *names])).encode()).hexdigest()[:16]

    @classmethod
    def for_plugins(cls, pm: Any, seconds: float = 0) -> Renderer:
        from lms.plugins import collect

        return cls(collect(pm.hook.lms_markdown_extensions()), seconds)

    def render(self, text: str, urls: Mapping[str, str] | None = None) -> str:
        """Markdown to sanitised HTML; ``urls`` rewrites relative targets as written."""
        self._md.reset()
        try:
            with time_limit(self.seconds):
                html = self._md.convert(text)
        except OverBudget:
            raise RenderError(f"takes longer than {self.seconds:g} s to render (setting "
                              "COURSE_RENDER_SECONDS): split the file or simplify it") from None
        except RecursionError:
            raise RenderError("is nested too deeply to render") from None
        except Exception as exc:  # a plugin's Markdown extension
            raise RenderError(f"could not be rendered: {exc!r}") from None
        return sanitise(html, _rewriter(urls) if urls else None)


def _rewriter(urls: Mapping[str, str]) -> Callable[[str], str]:
    def rewrite(url: str) -> str:
        parts = urlsplit(url)
        key = parts.path
        if key in urls:
            return urls[key] + (f"#{parts.fragment}" if parts.fragment else "")
        return url
    return rewrite
