"""Every string the code translates must reach the catalogue: ``make messages`` (run by CI
before the tests) keeps only what xgettext extracts, and xgettext reads an f-string as one
literal — a ``gettext("…")`` inside it is never extracted, and English then shows Chinese."""

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("approvals", "centre", "enforcement", "grid", "portal")
CALL_IN_FSTRING = re.compile(r"\{[^{}]*\b(?:_|gettext|gettext_lazy|pgettext|ngettext)\(")


def f_strings(source: str):
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING:
            prefix = re.match(r"[A-Za-z]*", token.string).group(0).lower()
            if "f" in prefix:
                yield token.start[0], token.string


def test_no_translation_call_inside_an_f_string():
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for line, text in f_strings(path.read_text(encoding="utf-8")):
                if CALL_IN_FSTRING.search(text):
                    found.append(f"{path.relative_to(ROOT)}:{line}")
    assert found == [], "translate outside the f-string, then format: " + ", ".join(found)


def test_the_check_sees_a_call_inside_an_f_string():
    source = 'x = f"<b>{gettext(\'认领\')}</b>"\ny = f"{label}"\n'
    assert [CALL_IN_FSTRING.search(t) is not None for _, t in f_strings(source)] == [True, False]
