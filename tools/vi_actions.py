"""Vietnamese of the action labels (builder/process/action_labels.py), read by tools/vi_catalog.py."""

VI = {
    "Submit the dossier": "Nộp hồ sơ",
    "Receive the dossier": "Tiếp nhận hồ sơ",
    "Refuse at reception": "Từ chối tiếp nhận",
    "Request a supplement": "Yêu cầu bổ sung hồ sơ",
    "Supplement the dossier": "Bổ sung hồ sơ",
    "Assign for processing": "Phân công xử lý",
    "Forward to the next step": "Chuyển bước xử lý",
    "Approve the result": "Phê duyệt kết quả",
    "Return the result": "Trả kết quả",
    "Transfer to another agency": "Chuyển liên thông",
    "Apologize and set a new date": "Xin lỗi, hẹn lại",
    "Withdraw the dossier": "Rút hồ sơ",
    "Pay the fees": "Thanh toán phí, lệ phí",
    "Request a financial obligation": "Yêu cầu thực hiện nghĩa vụ tài chính",
    "Stop processing": "Dừng xử lý",
    "Resume processing": "Tiếp tục xử lý",
    "Refund a payment": "Hoàn trả tiền đã nộp",
}
