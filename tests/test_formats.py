"""Our formats: tax code, Vietnamese phone, address in the 2025 units; and
the administrative units themselves."""
from __future__ import annotations

import json

import pytest

from builder.forms.addresses import address_schema, communes, provinces, units_json
from builder.forms.formats import tax_code_check_digit
from builder.forms.validation import validate_data


def one_field(fmt: str, value) -> dict:
    schema = {"type": "object", "properties": {"x": {"type": "string", "format": fmt}}}
    return validate_data(schema, {"x": value})


@pytest.mark.parametrize("value, expected", [
    ("0100233488", []),
    ("0100109106", []),  # Viettel
    ("0301442379", []),  # a check sum ≡ 10 (mod 11): check digit 0
    ("0314409058-002", []),  # a branch
    ("0100109106-001", []),
    ("0100233480", ["The check digit of this tax code is wrong."]),
    ("0100109107", ["The check digit of this tax code is wrong."]),
    ("0314409058-000", ["The branch number of a tax code runs from 001 to 999."]),
    ("0314409058002", ["A tax code has 10 digits, or 10 digits, a hyphen and a 3-digit branch number."]),
    ("010023348", ["A tax code has 10 digits, or 10 digits, a hyphen and a 3-digit branch number."]),
    ("01002334881", ["A tax code has 10 digits, or 10 digits, a hyphen and a 3-digit branch number."]),
    ("0314409058-02", ["A tax code has 10 digits, or 10 digits, a hyphen and a 3-digit branch number."]),
    ("01OO233488", ["A tax code has 10 digits, or 10 digits, a hyphen and a 3-digit branch number."]),
])
def test_tax_code(value, expected):
    assert one_field("tax-code", value) == ({"x": expected} if expected else {})


def test_nine_digits_whose_sum_is_a_multiple_of_11_have_no_check_digit():
    # 0*31 + ... : "000000011" sums to 5 + 3 = 8; "100000000" to 31 ≡ 9; find one ≡ 0
    first_nine = next(f"{n:09d}" for n in range(10**6, 10**7)
                      if sum(w * int(d) for w, d in zip((31, 29, 23, 19, 17, 13, 7, 5, 3), f"{n:09d}")) % 11 == 0)
    assert tax_code_check_digit(first_nine) is None
    assert all(one_field("tax-code", first_nine + str(d)) for d in range(10))


@pytest.mark.parametrize("value, ok", [
    ("0912345678", True),  # mobile
    ("0386123456", True),
    ("02438123456", True),  # Hà Nội landline 024 3812 3456
    ("+84912345678", True),
    ("+842838123456", True),
    ("091234567", False),  # too short
    ("091234567890", False),  # too long
    ("0012345678", False),  # 0 then 0
    ("84912345678", False),  # +84 without the +
    ("0912 345 678", False),
    ("", False),
])
def test_phone_vn(value, ok):
    assert one_field("phone-vn", value) == ({} if ok else {"x": ["Is not a Vietnamese phone number."]})


def test_a_citizen_id_is_still_checked():
    assert one_field("citizen-id", "001090012345") == {}
    assert one_field("citizen-id", "12345") == {"x": ["A citizen ID has exactly 12 digits."]}


def test_the_two_tier_units_since_1_july_2025():
    assert len(provinces()) == 34
    assert sum(len(communes(code)) for code, _name in provinces()) == 3321
    names = dict(provinces())
    assert names["01"] == "Thành phố Hà Nội" and names["79"] == "Thành phố Hồ Chí Minh"
    assert ("00070", "Phường Hoàn Kiếm") in communes("01")
    assert communes("02") == []  # Hà Giang was merged into Tuyên Quang
    data = json.loads(units_json())
    assert [p["code"] for p in data["provinces"]] == [code for code, _ in provinces()]
    assert sum(len(p["communes"]) for p in data["provinces"]) == 3321


ADDRESS = {"type": "object", "required": ["home"], "properties": {"home": address_schema("Nơi cư trú")}}


@pytest.mark.parametrize("home, expected", [
    ({"province": "01", "commune": "00070", "street": "12 Hàng Bạc"}, {}),
    ({"province": "79", "commune": "25747", "street": "1 Đường 30/4"}, {}),
    ({"province": "79", "commune": "00070", "street": "12 Hàng Bạc"},
     {"home.commune": ["The commune is not in the chosen province."]}),
    ({"province": "02", "commune": "00070", "street": "12 Hàng Bạc"},
     {"home.province": ["No province or centrally-run city has this code."]}),
    ({"province": "01", "street": "12 Hàng Bạc"}, {"home.commune": ["This field is required."]}),
    ({"province": "1", "commune": "70", "street": "12 Hàng Bạc"},
     {"home.province": ["No province or centrally-run city has this code.", "Is not in the expected format."],
      "home.commune": ["Is not in the expected format."]}),
])
def test_address(home, expected):
    errors = validate_data(ADDRESS, {"home": home})
    assert errors == expected


def test_the_address_message_in_vietnamese(app):
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        errors = validate_data(ADDRESS, {"home": {"province": "79", "commune": "00070", "street": "1 Lê Lợi"}})
        assert errors == {"home.commune": ["Xã/phường không thuộc tỉnh/thành phố đã chọn."]}
        errors = one_field("tax-code", "0100233480")
        assert errors == {"x": ["Chữ số kiểm tra của mã số thuế này không đúng."]}
