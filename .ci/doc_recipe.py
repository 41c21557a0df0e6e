"""Write the quick-start plugin of docs/plugins.md into a folder, file by file, as a reader
would: every "File `<path>`:" line followed by a fenced block. Prints the plugin's folder.

Usage: python .ci/doc_recipe.py docs/plugins.md TARGET
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

FILE = re.compile(r"^File `([^`]+)`:\n\n```[a-z]*\n(.*?)^```$", re.M | re.S)


def recipe_files(guide: str) -> dict[str, str]:
    """``{relative path: text}`` of every file the guide asks the reader to create."""
    return dict(FILE.findall(guide))


def main(guide: Path, target: Path) -> int:
    files = recipe_files(guide.read_text(encoding="utf-8"))
    if not files:
        print(f"{guide}: no 'File `...`:' blocks found", file=sys.stderr)
        return 1
    for name, text in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(target / Path(next(iter(files))).parts[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
