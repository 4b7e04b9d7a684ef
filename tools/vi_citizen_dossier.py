"""Vietnamese of the citizen's dossier pages (my dossiers, one dossier), read by tools/vi_catalog.py."""

VI = {
    "The filled form": "Tờ khai đã điền",
    "Receipt and appointment for the result": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "Request for a supplement": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "Refusal of the dossier": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "Apology and new appointment": "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
    "Result of the procedure": "Kết quả giải quyết thủ tục hành chính",
    "My dossiers": "Hồ sơ của tôi",
    "Draft: continue": "Bản nháp: tiếp tục",
    "You have no dossier yet.": "Bạn chưa có hồ sơ nào.",
    "Find a service": "Tìm dịch vụ công",
    "Pages": "Trang",
    "The documents of this dossier are being prepared.": "Các giấy tờ của hồ sơ đang được chuẩn bị.",
    "What happened": "Quá trình xử lý",
    "Time": "Thời gian",
    "Action": "Thao tác",
    "Note": "Ghi chú",
    "Due": "Hạn trả kết quả",
    "Dossier": "Hồ sơ",
    "Documents": "Giấy tờ",
}
