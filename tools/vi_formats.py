"""Vietnamese of the messages of the form formats (tax code, phone, address)
and of the schema safety check (read by tools/vi_catalog.py)."""

VI = {
    # formats
    "A tax code has 10 digits, or 10 digits, a hyphen and a 3-digit branch number.":
        "Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số mã đơn vị phụ thuộc.",
    "The check digit of this tax code is wrong.": "Chữ số kiểm tra của mã số thuế này không đúng.",
    "The branch number of a tax code runs from 001 to 999.":
        "Mã đơn vị phụ thuộc của mã số thuế phải từ 001 đến 999.",
    "No province or centrally-run city has this code.":
        "Không có tỉnh/thành phố nào mang mã này.",
    "The commune is not in the chosen province.": "Xã/phường không thuộc tỉnh/thành phố đã chọn.",
    # schema safety
    "The form has more than %(n)s parts; it cannot be checked.":
        "Tờ khai có hơn %(n)s thành phần; không thể kiểm tra.",
    "The form is nested more than %(n)s levels deep.": "Tờ khai lồng nhau quá %(n)s cấp.",
    "The form has more than %(n)s fields in total.": "Tờ khai có tổng cộng hơn %(n)s trường.",
    "Unknown type %(type)s; use one of: %(types)s.":
        "Kiểu %(type)s không tồn tại; hãy dùng một trong: %(types)s.",
    "Unknown format %(format)s; the known formats are: %(formats)s.":
        "Định dạng %(format)s không được hỗ trợ; các định dạng được hỗ trợ: %(formats)s.",
    "Only the form schema itself may have an $id.": "Chỉ lược đồ gốc của tờ khai được có $id.",
    "A pattern may have at most %(n)s characters.": "Mẫu (pattern) chỉ được tối đa %(n)s ký tự.",
    "This pattern is not a valid regular expression: %(why)s":
        "Mẫu (pattern) này không phải biểu thức chính quy hợp lệ: %(why)s",
    "Only references inside the form schema (#/...) are allowed: %(ref)s":
        "Chỉ được tham chiếu bên trong lược đồ tờ khai (#/...): %(ref)s",
    "This reference points to nothing: %(ref)s": "Tham chiếu này không trỏ tới đâu: %(ref)s",
    "These references lead back to themselves: %(refs)s":
        "Các tham chiếu này quay vòng về chính chúng: %(refs)s",
}
