"""Resident ID numbers (GB 11643-1999): 17 digits and a check character."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PATTERN = re.compile(r"^\d{17}[\dX]$")


def check_character(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalize(value: str) -> str:
    return (value or "").strip().upper()


def is_valid(value: str) -> bool:
    value = normalize(value)
    if not _PATTERN.match(value):
        return False
    return check_character(value[:17]) == value[17]


def validate_id_number(value: str) -> None:
    value = normalize(value)
    if not _PATTERN.match(value):
        raise ValidationError(
            _("居民身份证号码应为18位：17位数字加1位校验码（数字或X）。"), code="id_format"
        )
    if check_character(value[:17]) != value[17]:
        raise ValidationError(_("居民身份证号码校验码不正确，请核对。"), code="id_check_digit")


def mask(value: str) -> str:
    """`360121199001011234` -> `3601**********1234`."""
    value = normalize(value)
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_mobile(value: str) -> str:
    value = (value or "").strip()
    if len(value) < 7:
        return value
    return value[:3] + "****" + value[-4:]


# --- unified social credit code (GB 32100-2015) --------------------------------------------

_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def credit_code_check_character(first17: str) -> str:
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def credit_code_valid(value: str) -> bool:
    """A unified social credit code (统一社会信用代码) with a correct check character."""
    value = (value or "").strip().upper()
    if not _CREDIT_PATTERN.match(value):
        return False
    return credit_code_check_character(value[:17]) == value[17]
