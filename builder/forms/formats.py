"""The string formats of our forms besides the citizen ID: the tax code
(mã số thuế) and the Vietnamese phone number. Each ``*_problem`` function
says why a value is not valid (translatable), or returns None."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

# The tax authority's modulus-11 check digit over the first nine digits
# (the same weights as python-stdnum's stdnum.vn.mst).
TAX_CODE_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_TAX_CODE = re.compile(r"^(\d{10})(?:-(\d{3}))?$")
# 0 or +84, then 9 or 10 digits not starting with 0: mobiles 0xx xxx xxxx,
# landlines 02xx xxx xxxx.
_PHONE_VN = re.compile(r"^(?:0|\+84)[1-9]\d{8,9}$")


def tax_code_check_digit(first_nine: str) -> int | None:
    """The 10th digit of a tax code, or None when no digit fits (the sum is
    a multiple of 11): such nine digits are never issued."""
    total = sum(w * int(d) for w, d in zip(TAX_CODE_WEIGHTS, first_nine))
    check = 10 - total % 11
    return None if check == 10 else check


def tax_code_problem(value: object):
    """A tax code is 10 digits, the last a check digit; a branch adds a hyphen
    and a 3-digit number from 001."""
    match = _TAX_CODE.match(value) if isinstance(value, str) else None
    if match is None:
        return _l("A tax code has 10 digits, or 10 digits, a hyphen and a 3-digit branch number.")
    code, branch = match.groups()
    if tax_code_check_digit(code[:9]) != int(code[9]):
        return _l("The check digit of this tax code is wrong.")
    if branch == "000":
        return _l("The branch number of a tax code runs from 001 to 999.")
    return None


def phone_vn_problem(value: object):
    if not isinstance(value, str) or not _PHONE_VN.match(value):
        return _l("Is not a Vietnamese phone number.")
    return None
