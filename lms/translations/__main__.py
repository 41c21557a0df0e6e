"""``python -m lms.translations update|check``: maintain the message catalogues."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from lms.translations import extract, untranslated, update

USAGE = "usage: python -m lms.translations update | check"


def main(argv: list[str]) -> int:
    if argv == ["update"]:
        update()
        return 0
    if argv == ["check"]:
        with tempfile.TemporaryDirectory() as tmp:
            missing = untranslated(extract(Path(tmp) / "messages.pot"))
        for msgid in missing:
            print(f"untranslated: {msgid!r}")
        print(f"{len(missing)} Dutch translation(s) missing.")
        return 1 if missing else 0
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
