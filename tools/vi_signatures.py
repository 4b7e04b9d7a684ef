"""Vietnamese of the messages of digital signatures: verification reports,
the verify API, the officer's line per attachment, the signature plugins'
settings (read by tools/vi_catalog.py)."""

VI = {
    # problems of a signature (builder/providers/signature.py)
    "The signed content was changed after signing: its hash does not match.":
        "Nội dung đã ký bị thay đổi sau khi ký: giá trị băm không khớp.",
    "The signature value does not match the signer's certificate.":
        "Giá trị chữ ký không khớp với chứng thư số của người ký.",
    "The signer's certificate does not chain to a trusted root.":
        "Chứng thư số của người ký không thuộc chuỗi của một tổ chức chứng thực gốc được tin cậy.",
    "The signer's certificate chain is not valid.": "Chuỗi chứng thư số của người ký không hợp lệ.",
    "The signer's certificate was not yet valid at the signing time (valid from %(not_before)s).":
        "Chứng thư số của người ký chưa có hiệu lực tại thời điểm ký (có hiệu lực từ %(not_before)s).",
    "The signer's certificate had expired at the signing time (valid until %(not_after)s).":
        "Chứng thư số của người ký đã hết hạn tại thời điểm ký (hiệu lực đến %(not_after)s).",
    "The signer's certificate was revoked on %(date)s.":
        "Chứng thư số của người ký đã bị thu hồi ngày %(date)s.",
    "The signer's certificate may not be used to sign documents.":
        "Chứng thư số của người ký không được dùng để ký văn bản.",
    "The signature uses an algorithm that is no longer safe.":
        "Chữ ký dùng thuật toán không còn an toàn.",
    "The signature's timestamp is not valid.": "Dấu thời gian của chữ ký không hợp lệ.",
    "The document was changed after it was signed.": "Văn bản đã bị sửa đổi sau khi ký.",
    "No trust roots are configured (SIGNATURE_TRUST_ROOTS).":
        "Chưa cấu hình chứng thư số gốc tin cậy (SIGNATURE_TRUST_ROOTS).",
    "The signature cannot be read.": "Không đọc được chữ ký.",
    # reading files
    "The file is not a readable PDF.": "Tệp không phải là tệp PDF đọc được.",
    "The file is not well-formed XML.": "Tệp không phải là XML hợp lệ.",
    "XML with a document type declaration (DTD) is not accepted.":
        "Không chấp nhận tệp XML có khai báo kiểu tài liệu (DTD).",
    "Only PDF and XML files can be checked for signatures.":
        "Chỉ kiểm tra được chữ ký số trên tệp PDF và XML.",
    "The trust root %(path)s cannot be read as PEM certificates.":
        "Không đọc được chứng thư số gốc %(path)s (định dạng PEM).",
    "Please send the file to check in the field %(field)s.":
        "Vui lòng gửi tệp cần kiểm tra trong trường %(field)s.",
    "The file is empty.": "Tệp rỗng.",
    # the officer's line per attachment
    "Checking the digital signatures…": "Đang kiểm tra chữ ký số…",
    "The file cannot be read to check its digital signatures.":
        "Không đọc được tệp để kiểm tra chữ ký số.",
    "No digital signature.": "Không có chữ ký số.",
    "Valid digital signature of %(signer)s": "Có chữ ký số hợp lệ của %(signer)s",
    "The digital signature of %(signer)s is not valid: %(problems)s":
        "Chữ ký số của %(signer)s không hợp lệ: %(problems)s",
    "see the details.": "xem chi tiết.",
    # the plugins' settings
    "%(key)s of %(plugin)s must be true or false.": "%(key)s của %(plugin)s phải là true hoặc false.",
    "%(key)s of %(plugin)s must be a number of seconds from 1 to 60.":
        "%(key)s của %(plugin)s phải là số giây từ 1 đến 60.",
    "No font for the signature box: set %(key)s of %(plugin)s or install DejaVu fonts.":
        "Không có phông chữ cho ô chữ ký: đặt %(key)s của %(plugin)s hoặc cài phông DejaVu.",
}
