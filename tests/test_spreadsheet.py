"""Forms from spreadsheets: CSV and XLSX, English or Vietnamese headers, and
errors that name the row and the column."""
from __future__ import annotations

import io

import pytest
from jsonschema import Draft202012Validator
from openpyxl import Workbook

from builder.forms.spreadsheet import SpreadsheetError, read_spreadsheet
from builder.forms.validation import validate_data

CSV = """key,label,type,required,help,options,min,max,group,condition
full_name,Họ và tên,text,x,Như trên CCCD,,2,100,,
has_children,Có con chưa thành niên,yes/no,,,,,,,
children_count,Số con,integer,,,,1,20,,has_children = có
members,Thành viên hộ,rows,x,,,1,5,,
name,Họ tên,text,x,,,,,members,
relation,Quan hệ,choice,x,,vo | Vợ; con | Con,,,members,
fee,Lệ phí,money,,,,0,,,
"""


def test_csv_with_english_headers():
    form = read_spreadsheet(CSV.encode("utf-8"), "form.csv")
    schema = form["schema"]
    Draft202012Validator.check_schema(schema)
    assert form["ui"]["order"] == ["full_name", "has_children", "children_count", "members", "fee"]
    assert schema["required"] == ["full_name", "members"]
    assert schema["properties"]["full_name"] == {
        "type": "string", "title": "Họ và tên", "description": "Như trên CCCD", "minLength": 2, "maxLength": 100}
    members = schema["properties"]["members"]
    assert members["minItems"] == 1 and members["maxItems"] == 5
    assert members["items"]["required"] == ["name", "relation"]
    assert members["items"]["properties"]["relation"]["oneOf"] == [
        {"const": "vo", "title": "Vợ"}, {"const": "con", "title": "Con"}]
    assert schema["properties"]["fee"] == {"type": "integer", "x-money": True, "title": "Lệ phí", "minimum": 0}
    assert schema["allOf"] == [{"if": {"properties": {"has_children": {"const": True}}, "required": ["has_children"]},
                                "then": {"required": ["children_count"]}}]
    base = {"full_name": "Nguyễn Văn A", "members": [{"name": "B", "relation": "con"}]}
    assert validate_data(schema, base) == {}
    assert "children_count" in validate_data(schema, {**base, "has_children": True})


def test_xlsx_with_vietnamese_headers():
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã trường", "Nhãn", "Kiểu", "Bắt buộc", "Hướng dẫn", "Lựa chọn", "Tối thiểu", "Tối đa", "Nhóm"])
    sheet.append(["ho_ten", "Họ và tên", "chữ", "có", None, None, 2, 100, None])
    sheet.append(["ngay_sinh", "Ngày sinh", "ngày", "x", None, None, None, None, None])
    sheet.append(["so_dinh_danh", "Số định danh", "số định danh", None, None, None, None, None, None])
    sheet.append(["nguoi_than", "Người thân", "nhóm lặp lại", None, None, None, None, 3, None])
    sheet.append(["ten", "Tên", "văn bản ngắn", "x", None, None, None, None, "nguoi_than"])
    buffer = io.BytesIO()
    book.save(buffer)
    form = read_spreadsheet(buffer.getvalue(), "bieu-mau.xlsx")
    props = form["schema"]["properties"]
    assert props["ho_ten"]["minLength"] == 2 and props["ho_ten"]["maxLength"] == 100
    assert props["ngay_sinh"]["format"] == "date"
    assert props["so_dinh_danh"]["format"] == "citizen-id"
    assert props["nguoi_than"]["maxItems"] == 3
    assert props["nguoi_than"]["items"]["required"] == ["ten"]
    assert form["schema"]["required"] == ["ho_ten", "ngay_sinh"]


def test_bad_rows_are_named_by_row_and_column():
    text = ("mã trường;nhãn;kiểu;bắt buộc;tối thiểu;nhóm\n"
            "ho_ten;Họ tên;chữ;x;;\n"
            "Bad Key;Sai;chữ;;;\n"
            "tuoi;Tuổi;số nguyên;;mười;\n"
            "loai;Loại;hình tròn;;;\n"
            "con;Con;chữ;;;khong_co\n"
            "ho_ten;Lặp;chữ;có lẽ;;\n")
    with pytest.raises(SpreadsheetError) as caught:
        read_spreadsheet(text.encode("utf-8"), "sai.csv")
    errors = caught.value.errors
    joined = "\n".join(errors)
    assert "Row 3, column mã trường" in joined
    assert "Row 4, column tối thiểu" in joined and "mười" in joined
    assert "Row 5, column kiểu" in joined and "hình tròn" in joined
    assert "Row 6, column nhóm" in joined and "khong_co" in joined
    assert "Row 7, column bắt buộc" in joined
    assert "Row 7, column mã trường" in joined  # the key ho_ten twice


def test_unknown_columns_and_files():
    with pytest.raises(SpreadsheetError) as caught:
        read_spreadsheet("key,colour\nx,y\n".encode(), "f.csv")
    assert any("colour" in e for e in caught.value.errors)
    assert any("label" in e for e in caught.value.errors)
    with pytest.raises(SpreadsheetError):
        read_spreadsheet(b"not a workbook", "f.xlsx")
    with pytest.raises(SpreadsheetError):
        read_spreadsheet(b"key,label\n", "f.pdf")


def test_address_and_tax_code_fields():
    sheet = ("mã trường,nhãn,kiểu,bắt buộc\n"
             "tru_so,Địa chỉ trụ sở,địa chỉ,x\n"
             "mst,Mã số thuế,mã số thuế,x\n")
    schema = read_spreadsheet(sheet.encode("utf-8"), "form.csv")["schema"]
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["tru_so"]["format"] == "address-vn"
    assert schema["properties"]["mst"] == {"type": "string", "format": "tax-code", "title": "Mã số thuế"}
    good = {"tru_so": {"province": "01", "commune": "00070", "street": "Số 1 Tràng Tiền"}, "mst": "0100109106"}
    assert validate_data(schema, good) == {}
    wrong = {"tru_so": {**good["tru_so"], "province": "79"}, "mst": "0100109107"}
    errors = validate_data(schema, wrong)
    assert set(errors) == {"tru_so.commune", "mst"}
