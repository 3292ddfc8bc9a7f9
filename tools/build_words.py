"""Build intents/data/english_words.txt: common English words, no proper nouns.

The matcher uses it to tell an ordinary word ("produce", "patents") from a name it does not
know ("Philips", "imec"), so that a question about an organization we lack is refused rather
than answered about another. Source: Debian's wamerican package (SCOWL word lists by Kevin
Atkinson); only all-lower-case entries are kept, which leaves proper nouns out.

    apt-get install wamerican && python tools/build_words.py
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

SOURCE = Path("/usr/share/dict/american-english")
TARGET = Path(__file__).resolve().parent.parent / "intents" / "data" / "english_words.txt"
HEADER = """# Common English words (all lower case, so no proper nouns), one per line.
# Built by tools/build_words.py from Debian's wamerican package: SCOWL (Spell Checker Oriented
# Word Lists), Copyright 2000-2011 by Kevin Atkinson. Permission to use, copy, modify,
# distribute and sell these word lists, the associated scripts, the output created from the
# scripts, and its documentation for any purpose is hereby granted without fee, provided that
# the above copyright notice appears in all copies and that both that copyright notice and this
# permission notice appear in supporting documentation. Kevin Atkinson makes no representations
# about the suitability of this array for any purpose. It is provided "as is" without express
# or implied warranty.
"""


def main() -> int:
    if not SOURCE.exists():
        print(f"{SOURCE} is missing: apt-get install wamerican", file=sys.stderr)
        return 2
    words = sorted({line.strip() for line in SOURCE.read_text(encoding="utf-8").splitlines()
                    if re.fullmatch(r"[a-z]{2,20}", line.strip())})
    TARGET.write_text(HEADER + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{TARGET}: {len(words)} words")
    return 0


if __name__ == "__main__":
    sys.exit(main())
