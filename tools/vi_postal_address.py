"""Vietnamese of the messages of the postal address where a citizen or the
desk chooses delivery by post: the inputs of portal/_delivery_address.html,
the review page, the desk (read by tools/vi_catalog.py)."""

VI = {
    # the inputs
    "Postal address": "Địa chỉ nhận bưu gửi",
    "Province or centrally-run city": "Tỉnh/thành phố",
    "Commune, ward or special zone": "Xã/phường/đặc khu",
    "House number, street, hamlet": "Số nhà, đường, thôn/xóm",
    "Recipient": "Người nhận",
    "Recipient's phone": "Điện thoại người nhận",
    "Only for delivery by post: where the post office delivers the result or collects the paper dossier.":
        "Chỉ dùng khi nhận qua bưu chính: nơi bưu điện phát kết quả hoặc đến nhận hồ sơ giấy.",
    "Filled in from your account; change it if someone else receives the parcel.":
        "Lấy từ tài khoản của bạn; hãy sửa nếu người khác nhận bưu gửi.",
    "Send the paper dossier by post: the post office collects it at the postal address below":
        "Gửi hồ sơ giấy qua bưu chính: bưu điện đến nhận hồ sơ tại địa chỉ dưới đây",
    # what is wrong with it
    "Choose the province or centrally-run city.": "Hãy chọn tỉnh/thành phố.",
    "Choose the commune, ward or special zone.": "Hãy chọn xã/phường/đặc khu.",
    # the review page
    "Receiving the result": "Nhận kết quả",
    "Paper dossier": "Hồ sơ giấy",
    "Collected by the post office at the postal address": "Bưu điện đến nhận tại địa chỉ nhận bưu gửi",
    # the desk
    "A dossier brought to the desk is not sent by post.":
        "Hồ sơ nộp trực tiếp tại Bộ phận Một cửa không gửi qua bưu chính.",
    "Only for a result sent by post: where the post office delivers it.":
        "Chỉ dùng khi trả kết quả qua bưu chính: nơi bưu điện phát kết quả.",
    "Leave it empty to send it to the applicant.": "Để trống để gửi cho người nộp hồ sơ.",
}
