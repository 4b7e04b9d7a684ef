"""Vietnamese of the messages of remote signing (ký số từ xa) through a CA's
gateway, plugins/signature/remote_ca.py (read by tools/vi_catalog.py)."""

VI = {
    # talking to the gateway
    "The remote-signing gateway cannot be reached (%(url)s): %(error)s":
        "Không kết nối được cổng ký số từ xa (%(url)s): %(error)s",
    "The remote-signing gateway answered %(status)s to %(call)s: %(message)s":
        "Cổng ký số từ xa trả lời %(status)s cho %(call)s: %(message)s",
    "The remote-signing gateway sent an answer that cannot be read (%(call)s).":
        "Cổng ký số từ xa gửi câu trả lời không đọc được (%(call)s).",
    "The remote-signing gateway has no usable certificate for user %(user)s.":
        "Cổng ký số từ xa không có chứng thư số dùng được cho tài khoản %(user)s.",
    "The certificate of user %(user)s at the remote-signing gateway is not valid now "
    "(valid from %(not_before)s to %(not_after)s).":
        "Chứng thư số của tài khoản %(user)s tại cổng ký số từ xa hiện không có hiệu lực "
        "(hiệu lực từ %(not_before)s đến %(not_after)s).",
    # the signer's answer on their phone
    "The signer refused the signing on their phone (user %(user)s, transaction %(transaction)s).":
        "Người ký đã từ chối ký trên điện thoại (tài khoản %(user)s, giao dịch %(transaction)s).",
    "The signing request expired at the gateway before the signer confirmed it "
    "(user %(user)s, transaction %(transaction)s).":
        "Yêu cầu ký đã hết hạn tại cổng ký số trước khi người ký xác nhận "
        "(tài khoản %(user)s, giao dịch %(transaction)s).",
    "The signer did not confirm the signing within %(seconds)s seconds "
    "(user %(user)s, transaction %(transaction)s).":
        "Người ký không xác nhận ký trong %(seconds)s giây (tài khoản %(user)s, giao dịch %(transaction)s).",
    "The remote-signing gateway could not sign (status %(status)s: %(description)s).":
        "Cổng ký số từ xa không ký được (mã trạng thái %(status)s: %(description)s).",
    "The signature the remote-signing gateway returned does not match the certificate of user %(user)s.":
        "Chữ ký do cổng ký số từ xa trả về không khớp với chứng thư số của tài khoản %(user)s.",
    # the document and the settings
    "The document to seal is not a readable PDF: %(error)s":
        "Văn bản cần ký số không phải là tệp PDF đọc được: %(error)s",
    "The document could not be sealed: %(error)s": "Không ký số được văn bản: %(error)s",
    "%(key)s of agency %(agency)s is not set (in SIGNING_IDENTITIES or PLUGINS[\"%(plugin)s\"]).":
        "Chưa khai báo %(key)s của cơ quan %(agency)s "
        "(trong SIGNING_IDENTITIES hoặc PLUGINS[\"%(plugin)s\"]).",
}
