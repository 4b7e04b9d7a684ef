"""Vietnamese of the messages of postal delivery: the carrier plugin, the
dossier's postal address, the callbacks and the delivery states (read by
tools/vi_catalog.py)."""

VI = {
    # states and directions
    "Postal order being placed": "Đang tạo đơn gửi bưu chính",
    "Accepted by the post office": "Bưu cục đã nhận bưu gửi",
    "In transit": "Đang vận chuyển",
    "Delivered": "Đã phát thành công",
    "Returned to the sender": "Đã chuyển hoàn cho người gửi",
    "Postal order cancelled": "Đơn gửi bưu chính đã hủy",
    "Dossier sent to the agency by post": "Hồ sơ gửi đến cơ quan qua bưu chính",
    "Result sent to the applicant by post": "Kết quả gửi đến người nộp qua bưu chính",
    # the postal address of a dossier
    "This service does not take paper dossiers by post.": "Dịch vụ này không nhận hồ sơ giấy qua bưu chính.",
    "Enter the postal address.": "Hãy nhập địa chỉ nhận bưu gửi.",
    "Enter the house number and street (2 to 200 characters).":
        "Hãy nhập số nhà, đường, thôn/xóm (từ 2 đến 200 ký tự).",
    "Must be text of at most %(n)s characters.": "Phải là chữ, tối đa %(n)s ký tự.",
    "Is not a phone number.": "Không phải là số điện thoại.",
    # the carrier's callbacks
    "No postal carrier is named %(name)s.": "Không có đơn vị bưu chính nào tên %(name)s.",
    "The carrier's notice could not be read.": "Không đọc được thông báo của đơn vị bưu chính.",
    "The carrier's notice is not signed with the agreed key.":
        "Thông báo của đơn vị bưu chính không được ký bằng khóa đã thỏa thuận.",
    "No postal order has this waybill.": "Không có đơn gửi bưu chính nào có số hiệu này.",
    # the plugin's settings
    "%(key)s of %(plugin)s must give %(parts)s.": "%(key)s của %(plugin)s phải có %(parts)s.",
    # the pages
    "Waybill number": "Số hiệu bưu gửi",
    "not yet given by the carrier": "đơn vị bưu chính chưa cấp",
    "Delivery status": "Trạng thái chuyển phát",
    "Note": "Ghi chú",
    "Postal delivery": "Chuyển phát bưu chính",
    "Not yet placed with the carrier": "Chưa tạo được đơn với đơn vị bưu chính",
}
