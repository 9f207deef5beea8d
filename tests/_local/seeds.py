"""What the acceptance tests read from the seeds (../shared/seeds): the 70 AppClient methods and the permission names.

Parsed from the seed text on purpose: a method added to (or missing from) the seeds changes the test matrix.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def seed_text(prefix: str) -> str:
    """The text of the seed whose file name starts with ``prefix`` (for example ``"001_"``)."""
    matches = sorted(SEEDS_DIR.glob(f"{prefix}*.txt"))
    if len(matches) != 1:
        raise FileNotFoundError(f"expected exactly one seed {prefix}*.txt in {SEEDS_DIR}, found {matches}")
    return matches[0].read_text(encoding="utf-8")


@cache
def appclient_methods() -> tuple[str, ...]:
    """The ``AppClient`` methods of seed 001, in the seed's order."""
    text = seed_text("001_")
    start = text.index(".. py:class:: AppClient(")
    return tuple(re.findall(r"^\s*\.\. py:method:: (\w+)\(", text[start:], flags=re.MULTILINE))


@cache
def permission_strings() -> tuple[str, ...]:
    """The permission strings seed 002 lists as valid arguments of ``check_permissions``."""
    text = seed_text("002_")
    start = text.index("Valid arguments for permissions")
    block = text[start:].split("```python", 1)[1].split("```", 1)[0]
    return tuple(re.findall(r'"(\w+)"', block))
