"""Lesson HTML is stored sanitised: nothing an author (or a plugin) writes can run script."""
from __future__ import annotations

import re
import threading

import pytest
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from sqlalchemy import select

from lms.content.importer import import_directory
from lms.content.render import Renderer, RenderError
from lms.extensions import db
from lms.models import Lesson
from tests.fixtures.content import content_app, tree, write  # noqa: F401

XSS = {
    "script tag": "<script>alert('x')</script>",
    "event handler": '<p onmouseover="alert(1)">hover</p>',
    "javascript link": "[klik](javascript:alert(1))",
    "entity-obfuscated link": '<a href="jav&#x61;script:alert(1)">klik</a>',
    "mixed-case scheme": '<a href="JaVaScRiPt:alert(1)">klik</a>',
    "svg onload": "<svg onload=alert(1)><circle r=1 /></svg>",
    "iframe srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "attribute list": "Klik hier\n{: onclick=\"alert(1)\" }",
    "attribute list on link": "[klik](https://example.org){: onclick=\"alert(1)\" }",
    "data url link": "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "img onerror": "<img src=x onerror=alert(1)>",
    "style attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "object embed": '<object data="evil.swf"></object><embed src="evil.swf">',
    "form": '<form action="https://evil.example"><input name="pw"></form>',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
}
FORBIDDEN = re.compile(r"<script|<svg|<iframe|<object|<embed|<form|<input|<meta|<style|"
                       r"\son\w+\s*=|javascript:|data:|srcdoc|style=", re.I)


@pytest.mark.parametrize("name", list(XSS))
def test_xss_is_neutralised_in_stored_html(content_app, tree, name):
    """Dangerous Markdown/HTML (with attr_list switched on by a plugin) is stored harmless."""
    write(tree / "goed-van-start/03-aanval.md",
          f"---\nid: aanval\ntitle: Aanval\ntype: page\n---\nVoor.\n\n{XSS[name]}\n\nNa.\n")
    with content_app.app_context():
        import_directory(tree)
        html = db.session.scalar(select(Lesson.html).where(Lesson.slug == "aanval"))
    assert "Voor." in html and "Na." in html
    assert not FORBIDDEN.search(html), html


def test_links_get_noopener_and_safe_schemes_survive():
    """Ordinary links keep working: http(s), mailto, relative and anchors, with rel=noopener."""
    html = Renderer().render("[a](https://example.org) [b](mailto:x@example.org) "
                             "[c](/cursussen/x) [d](#kop)")
    assert html.count('rel="noopener"') == 4
    for href in ("https://example.org", "mailto:x@example.org", "/cursussen/x", "#kop"):
        assert f'href="{href}"' in html


def test_markdown_features_survive_sanitising():
    """Tables, code, footnotes, admonitions and the table of contents are kept."""
    html = Renderer().render(
        "[TOC]\n\n# Kop\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n```python\nx = 1\n```\n\n"
        "Noot[^1].\n\n!!! warning \"Let op\"\n    Tekst.\n\n[^1]: Uitleg.\n")
    for fragment in ('<div class="toc">', '<h1 id="kop">', '<td align="right">',
                     '<code class="language-python">', 'class="footnote-ref"',
                     '<div class="admonition warning">', '<p class="admonition-title">Let op</p>'):
        assert fragment in html


# --- what cannot be rendered is a RenderError with a message, never a hang or a traceback ---

SLOW = "# Kop\n\n" * 40_000  # the table of contents numbers equal headings one by one


def render_failure(renderer: Renderer, text: str) -> str:
    with pytest.raises(RenderError) as failed:
        renderer.render(text)
    return str(failed.value)


def test_render_budget_stops_slow_markdown():
    assert render_failure(Renderer(seconds=0.2), SLOW) == (
        "takes longer than 0.2 s to render (setting COURSE_RENDER_SECONDS): "
        "split the file or simplify it")
    assert "<h1" in Renderer(seconds=0.2).render("# Kop")  # the renderer is fine afterwards


def test_render_budget_holds_outside_the_main_thread():
    """Where no signal can be used (a worker thread), the budget still stops the work."""
    found: list[str] = []
    worker = threading.Thread(target=lambda: found.append(render_failure(Renderer(seconds=0.2),
                                                                         SLOW)))
    worker.start()
    worker.join(timeout=60)
    assert found == ["takes longer than 0.2 s to render (setting COURSE_RENDER_SECONDS): "
                     "split the file or simplify it"]


def test_too_deep_nesting_and_a_broken_extension_are_messages():
    assert render_failure(Renderer(), "- " * 1000 + "x") == "is nested too deeply to render"

    class Broken(Extension):
        def extendMarkdown(self, md):
            class Fail(Treeprocessor):
                def run(self, root):
                    raise ValueError("kapot\nstuk")
            md.treeprocessors.register(Fail(md), "fail", 1)

    assert render_failure(Renderer([Broken()]), "Tekst") == (
        "could not be rendered: ValueError('kapot\\nstuk')")
