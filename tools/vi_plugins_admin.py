"""Vietnamese of the admin's plugins page and of the plugin listing
(builder/admin/plugins.py, builder/plugins.py; read by tools/vi_catalog.py)."""

VI = {
    # the menu and the listing
    "Plugins": "Tiện ích mở rộng",
    "Plugin": "Tiện ích",
    "Hooks": "Hook",
    "Providers": "Nhà cung cấp",
    "State": "Tình trạng",
    "Payment": "Thanh toán",
    "Digital signature": "Chữ ký số",
    "Postal delivery": "Bưu chính",
    "Notification": "Thông báo",
    "Identity": "Định danh",
    "Other": "Khác",
    "Blocked": "Đã chặn",
    "Configured": "Đã cấu hình",
    "Not configured": "Chưa cấu hình",
    "Listed in PLUGINS_BLOCKED: not loaded.": "Có trong PLUGINS_BLOCKED: không được nạp.",
    'A plugin reads its settings from PLUGINS["<name>"] of the instance configuration; see the README.':
        'Mỗi tiện ích đọc thiết lập của mình trong PLUGINS["<tên>"] của tệp cấu hình; xem README.',
    "%(hook)s failed: %(error)s": "%(hook)s gặp lỗi: %(error)s",
    "%(hook)s returned %(value)s, which is not a %(protocol)s.":
        "%(hook)s trả về %(value)s, không phải một %(protocol)s.",
    "The settings check of %(provider)s failed: %(error)s":
        "Không kiểm tra được thiết lập của %(provider)s: %(error)s",
    # each service's gateway and carrier
    "Payment gateway and postal carrier of each service": "Cổng thanh toán và đơn vị bưu chính của từng dịch vụ",
    "A choice is saved in the service's draft. Publishing the draft makes a new version; a published "
    "version never changes, and dossiers already filed keep the gateway and carrier of their version.":
        "Lựa chọn được lưu vào bản nháp của dịch vụ. Công bố bản nháp sẽ tạo phiên bản mới; phiên bản "
        "đã công bố không bao giờ thay đổi, hồ sơ đã nộp giữ cổng thanh toán và đơn vị bưu chính của "
        "phiên bản đó.",
    "Payment gateway": "Cổng thanh toán",
    "Postal carrier": "Đơn vị bưu chính",
    "no online payment": "không thanh toán trực tuyến",
    "no postal carrier": "không gửi qua bưu chính",
    "— no online payment —": "— Không thanh toán trực tuyến —",
    "— no postal carrier —": "— Không gửi qua bưu chính —",
    "not configured": "chưa cấu hình",
    "not installed": "chưa cài đặt",
    "Unpublished draft": "Bản nháp chưa công bố",
    "Providers of %(code)s": "Nhà cung cấp của %(code)s",
    "Save to the draft": "Lưu vào bản nháp",
    "This service does not offer delivery by post.": "Dịch vụ này chưa có hình thức nhận qua bưu chính.",
    "No postal carrier is named %(name)s.": "Không có đơn vị bưu chính nào tên %(name)s.",
    "The payment gateway %(name)s is not configured: %(problems)s":
        "Cổng thanh toán %(name)s chưa được cấu hình: %(problems)s",
    "The postal carrier %(name)s is not configured: %(problems)s":
        "Đơn vị bưu chính %(name)s chưa được cấu hình: %(problems)s",
    "The choice of providers is not valid.": "Lựa chọn nhà cung cấp không hợp lệ.",
    "The choice is saved in the draft of %(code)s; publish the draft to use it. "
    "The published version does not change.":
        "Đã lưu lựa chọn vào bản nháp của %(code)s; công bố bản nháp để áp dụng. "
        "Phiên bản đã công bố không thay đổi.",
    "Nothing changed.": "Không có gì thay đổi.",
}
