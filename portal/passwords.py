"""The password policy beyond Django's validators: no password made of the person's own name in
pinyin (``Zhang2026`` for 张伟) or of digits of their ID number. In AUTH_PASSWORD_VALIDATORS,
so sign-up, the profile's password change and the admin's password form all apply it."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

_LETTERS = re.compile(r"[a-z]")
_DIGIT_RUN = re.compile(r"\d{4,}")
# a run of this many digits from the ID number is refused outright (birthday, place code…)
_ID_RUN_REFUSED = 6


def name_pieces(real_name: str) -> tuple[str, list[str]]:
    """(full pinyin, the pieces it is made of): syllables, given name, surname-last order and
    initials; letters only, lower case, two letters or more."""
    words = [
        re.sub(r"[^a-z]", "", w.lower())
        for part in lazy_pinyin((real_name or "").strip(), errors="default")
        for w in part.split()
    ]
    words = [w for w in words if w]
    full = "".join(words)
    pieces = set(words)
    if len(words) > 1:
        pieces.add("".join(words[1:]))  # given name
        pieces.add("".join(words[1:]) + words[0])  # weizhang
        pieces.add("".join(w[0] for w in words))  # zw
    pieces.add(full)
    return full, sorted((p for p in pieces if len(p) >= 2), key=len, reverse=True)


def built_from_personal_data(password: str, real_name: str, id_number: str) -> bool:
    pw = (password or "").lower()
    full, pieces = name_pieces(real_name)
    if len(full) >= 4 and full in pw:
        return True
    rest, removed = pw, False
    for piece in pieces:
        if piece in rest:
            rest, removed = rest.replace(piece, " "), True
    id_number = (id_number or "").upper()
    if id_number:
        for run in _DIGIT_RUN.findall(pw):
            for size in range(len(run), 3, -1):
                hits = [run[i : i + size] for i in range(len(run) - size + 1)]
                hit = next((h for h in hits if h in id_number), None)
                if hit:
                    if size >= _ID_RUN_REFUSED:
                        return True
                    rest, removed = rest.replace(hit, " "), True
                    break
    return removed and not _LETTERS.search(rest)


class PersonalDataValidator:
    def validate(self, password, user=None):
        if user is None:
            return
        if built_from_personal_data(
            password, getattr(user, "real_name", ""), getattr(user, "id_number", "") or ""
        ):
            raise ValidationError(
                _(
                    "密码容易被猜到：不能由您姓名的拼音加数字组成，"
                    "也不能含有您身份证号码中的一段数字。"
                ),
                code="password_personal_data",
            )

    def get_help_text(self):
        return _("密码不能由您姓名的拼音或身份证号码中的数字组成。")
