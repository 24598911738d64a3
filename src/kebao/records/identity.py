"""Personal fields of a roster, checked, normalised and masked: phones, ID-card numbers, gender.

An ID-card number (居民身份证号码, GB 11643: 17 digits and a check character) is never stored as written:
:func:`mask_id` keeps its first three and last four characters for people to recognise, and
:func:`id_digest` (scrypt with the database's own salt, slow on purpose: the numbers are few enough to
guess one by one otherwise) recognises the same number on the next import. A phone is stored, and shown
masked (:func:`mask_phone`) everywhere outside the office's own exports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
GENDERS = {"男": "m", "女": "f", "m": "m", "f": "f", "male": "m", "female": "f"}
GENDER_WORDS = {"m": "男", "f": "女"}
MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{9,11}")


def normalise_gender(text: str) -> str | None:
    """'男', 'M', 'male' -> 'm'; '女', 'F', 'female' -> 'f'; anything else None."""
    return GENDERS.get(text.strip().lower())


def normalise_phone(text: str) -> str | None:
    """The phone's digits (a mobile's 11, a landline's area code and number), or None if it is not one.

    Spaces, hyphens, brackets and a leading +86 are dropped: '138 0013 8000', '+86-13800138000' and
    '(010) 6275-1234' are phones.
    """
    digits = re.sub(r"[\s\-()（）]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if MOBILE.fullmatch(digits) or LANDLINE.fullmatch(digits) else None


def mask_phone(phone: str) -> str:
    """'13800138000' -> '138****8000'; a landline keeps its first four and last two digits."""
    if not phone:
        return ""
    if MOBILE.fullmatch(phone):
        return phone[:3] + "****" + phone[-4:]
    return phone[:4] + "*" * (len(phone) - 6) + phone[-2:]


def mask_name(name: str) -> str:
    """'张小三' -> '张*三', '李四' -> '李*', '欧阳小明' -> '欧**明': what a published list may show of a name."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def id_problem(number: str) -> str | None:
    """Why ``number`` (normalised by :func:`normalise_id`) is not a valid ID-card number, or None."""
    if len(number) != 18:
        return f"has {len(number)} characters, not 18"
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "must be 17 digits and a last digit or X"
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return f"holds no valid date of birth ({number[6:14]})"
    if not dt.date(1900, 1, 1) <= born <= dt.date.today():
        return f"holds a date of birth out of range ({born.isoformat()})"
    if check_character(number) != number[17]:
        return "fails its check character (a digit was mistyped)"
    return None


def normalise_id(text: str) -> str:
    """``text`` without spaces, with a lower-case x made upper-case."""
    return re.sub(r"\s", "", text).upper()


def check_character(number: str) -> str:
    """The 18th character GB 11643 computes from the first 17 digits."""
    return CHECK[sum(int(digit) * weight for digit, weight in zip(number[:17], WEIGHTS, strict=True)) % 11]


def mask_id(number: str) -> str:
    """'110101199003074518' -> '110***********4518'."""
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def id_digest(number: str, salt: bytes) -> str:
    """A slow salted digest of an ID-card number (scrypt, hex): equal numbers, equal digests."""
    return hashlib.scrypt(number.encode("ascii"), salt=salt, n=2**12, r=8, p=1, dklen=32).hex()
