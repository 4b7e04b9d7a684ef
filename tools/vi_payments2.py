"""Vietnamese of the messages of MoMo, the national payment platform, payments
at the desk, refunds and e-receipts (read by tools/vi_catalog.py)."""

VI = {
    # gateway settings
    "%(key)s of %(plugin)s may hold only letters and digits.":
        "%(key)s của %(plugin)s chỉ được gồm chữ cái và chữ số.",
    "%(key)s of %(plugin)s must be a number of seconds.": "%(key)s của %(plugin)s phải là số giây.",
    # payment states
    "Not paid": "Chưa thanh toán",
    "Payment in progress": "Đang thanh toán",
    "Paid": "Đã thanh toán",
    "Cancelled": "Đã hủy",
    "Refunded": "Đã hoàn trả",
    # at the desk
    "Only the one-stop desk of the dossier's agency records payments.":
        "Chỉ Bộ phận Một cửa của cơ quan tiếp nhận hồ sơ được ghi nhận thanh toán.",
    "At most %(n)s characters.": "Tối đa %(n)s ký tự.",
    "Please enter the receipt number.": "Vui lòng nhập số biên lai.",
    "The fees of this dossier are %(amount)s VND.": "Phí, lệ phí của hồ sơ này là %(amount)s đồng.",
    "Payment at the desk is not available.": "Chưa có hình thức nộp phí tại Bộ phận Một cửa.",
    "in cash": "bằng tiền mặt",
    "by bank transfer": "bằng chuyển khoản",
    "Paid %(amount)s VND at the desk %(how)s, receipt number %(number)s.":
        "Đã nộp %(amount)s đồng tại Bộ phận Một cửa %(how)s, biên lai số %(number)s.",
    # refunds
    "Please give the reason of the refund.": "Vui lòng nêu lý do hoàn trả.",
    "The refund is not valid.": "Yêu cầu hoàn trả không hợp lệ.",
    "The dossier %(code)s has no payment %(id)s.": "Hồ sơ %(code)s không có giao dịch thanh toán %(id)s.",
    "Only paid fees can be refunded; this payment is: %(status)s.":
        "Chỉ hoàn trả được phí, lệ phí đã thanh toán; giao dịch này: %(status)s.",
    "Refunded %(amount)s VND: %(reason)s": "Đã hoàn trả %(amount)s đồng: %(reason)s",
    # e-receipts
    "The payment %(id)s has no e-receipt yet.": "Giao dịch thanh toán %(id)s chưa có biên lai điện tử.",
}
