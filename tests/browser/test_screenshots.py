"""The screenshots the README and docs/index.md show exist, at the size the tests take them."""
from __future__ import annotations

import re
import struct

import pytest

from tests.browser.conftest import ROOT, VIEWPORT


def linked_images(document: str, prefix: str) -> set[str]:
    text = (ROOT / document).read_text()
    return set(re.findall(rf"\(({re.escape(prefix)}screenshots/[\w-]+\.png)\)", text))


@pytest.mark.parametrize("document, prefix", [("README.md", "docs/"), ("docs/index.md", "")])
def test_linked_screenshots_exist_at_1280_by_800(document, prefix):
    """Every linked screenshot is a PNG of the browser tests' viewport."""
    images = linked_images(document, prefix)
    assert len(images) >= 8
    folder = ROOT / "docs" if prefix == "" else ROOT
    for image in images:
        header = (folder / image).read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n", image
        assert struct.unpack(">II", header[16:24]) == (VIEWPORT["width"], VIEWPORT["height"]), image
