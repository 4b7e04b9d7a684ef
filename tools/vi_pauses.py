"""Vietnamese of the messages of the engine's pauses (waiting for payment,
processing stopped) and of result documents (read by tools/vi_catalog.py)."""

VI = {
    # the pauses
    "Only these roles may do this: %(roles)s.": "Chỉ các vai trò sau được thực hiện: %(roles)s.",
    "This service takes no payments; it names no payment gateway.":
        "Dịch vụ này không thu tiền: chưa chỉ định cổng thanh toán.",
    "This service has no fee paid after processing; give the amount.":
        "Dịch vụ này không có khoản phí nộp sau khi giải quyết; vui lòng nhập số tiền.",
    "Must be a whole number of VND, more than 0.": "Phải là số tiền nguyên (đồng), lớn hơn 0.",
    "Give the reason of the payment (the fee or obligation).":
        "Vui lòng nêu lý do phải nộp (phí, lệ phí hoặc nghĩa vụ tài chính).",
    "Amount to pay (VND)": "Số tiền phải nộp (đồng)",
    "Empty: the fees paid after processing": "Để trống: phí, lệ phí nộp sau khi giải quyết",
    "Amount requested": "Số tiền yêu cầu nộp",
    # result documents
    "A result is attached to the approval.": "Kết quả được đính kèm khi phê duyệt.",
    "A result is attached to the approval that completes processing.":
        "Kết quả được đính kèm ở bước phê duyệt hoàn thành giải quyết hồ sơ.",
    "The result is not valid.": "Kết quả không hợp lệ.",
    "Must be a list of files.": "Phải là danh sách tệp.",
    "Must be base64.": "Phải được mã hóa base64.",
    "At most %(n)s files.": "Tối đa %(n)s tệp.",
    "The result %(name)s is not a PDF file.": "Kết quả %(name)s không phải tệp PDF.",
    "The PDF file cannot be read.": "Không đọc được tệp PDF.",
    "The PDF file has no page.": "Tệp PDF không có trang nào.",
    "it is not text": "mẫu không phải văn bản",
    "The result template of this service is broken (%(problem)s); attach the result as a PDF file "
    "instead.": "Mẫu kết quả của dịch vụ này bị lỗi (%(problem)s); vui lòng đính kèm kết quả dạng tệp PDF.",
    "Result (PDF files)": "Kết quả (tệp PDF)",
}
