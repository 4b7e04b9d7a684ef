"""The 12-digit citizen ID (CCCD / số định danh cá nhân), Circular 59/2021/TT-BCA:
3 digits for the province where the birth was registered, 1 for century and
sex, 2 for the year of birth, 6 of sequence."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l

# The province codes of the citizen ID (those of the 63 provinces before the
# 2025 merger: IDs already issued keep them, and the 34 merged provinces use
# codes from this list).
PROVINCE_CODES = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

# century digit pairs: 0/1 → 1900s, 2/3 → 2000s, ..., 8/9 → 1800s
_CENTURY = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}
_PATTERN = re.compile(r"^\d{12}$")


def citizen_id_problem(value: object, today: date | None = None):
    """Why ``value`` is not a valid citizen ID (translatable), or None."""
    if not isinstance(value, str) or not _PATTERN.match(value):
        return _l("A citizen ID has exactly 12 digits.")
    if value[:3] not in PROVINCE_CODES:
        return _l("The first three digits of a citizen ID must be a province code.")
    year = _CENTURY[int(value[3])] + int(value[4:6])
    if year > (today or date.today()).year:
        return _l("The year of birth in this citizen ID lies in the future.")
    return None


def birth_year(value: str) -> int:
    return _CENTURY[int(value[3])] + int(value[4:6])
