"""Vietnamese of the messages of notifications (e-mail, SMS) and of signing
in through identity providers (read by tools/vi_catalog.py)."""

VI = {
    # what the applicant is told on each status change
    "Dear %(name)s,": "Kính gửi Ông/Bà %(name)s,",
    "Your dossier %(code)s (%(procedure)s) now has the status: %(status)s.":
        "Hồ sơ %(code)s (%(procedure)s) của Ông/Bà hiện ở trạng thái: %(status)s.",
    "What happened: %(action)s by %(agency)s, at %(at)s.":
        "Nội dung: %(action)s, do %(agency)s thực hiện lúc %(at)s.",
    "What happened: %(action)s, at %(at)s.": "Nội dung: %(action)s, lúc %(at)s.",
    "Note of the agency: %(comment)s": "Ý kiến của cơ quan: %(comment)s",
    "What you must do: supplement the dossier with everything listed above. Sign in, open the "
    "dossier at %(url)s, attach the missing documents and send the supplement. The processing "
    "time is paused and starts again from zero once the dossier is complete.":
        "Ông/Bà cần bổ sung hồ sơ theo đúng các nội dung nêu trên: đăng nhập, mở hồ sơ tại "
        "%(url)s, đính kèm các giấy tờ còn thiếu và gửi bổ sung. Thời hạn giải quyết tạm dừng và "
        "được tính lại từ đầu khi hồ sơ đã đầy đủ.",
    "Please supplement the dossier.": "Vui lòng bổ sung hồ sơ.",
    "What you must do: pay the fees of %(amount)s. Sign in and open the dossier at %(url)s to pay "
    "online, or pay at the one-stop desk. The processing time is paused until the payment is "
    "received.":
        "Ông/Bà cần nộp phí, lệ phí %(amount)s: đăng nhập và mở hồ sơ tại %(url)s để thanh toán "
        "trực tuyến, hoặc nộp tại Bộ phận Một cửa. Thời hạn giải quyết tạm dừng cho đến khi nhận "
        "được khoản thanh toán.",
    "Please pay %(amount)s.": "Vui lòng nộp %(amount)s.",
    "The result is ready. It is returned: %(place)s.": "Đã có kết quả. Hình thức trả kết quả: %(place)s.",
    "The result is due on %(due)s.": "Ngày hẹn trả kết quả: %(due)s.",
    "Follow the dossier: %(url)s": "Tra cứu hồ sơ: %(url)s",
    "This message was sent automatically by %(agency)s; please do not reply to it.":
        "Thư này do hệ thống của %(agency)s gửi tự động; vui lòng không trả lời thư này.",
    "Dossier %(code)s: %(status)s.": "Hồ sơ %(code)s: %(status)s.",
    "Due %(date)s.": "Hẹn trả %(date)s.",
    # notifier settings
    "%(key)s of %(plugin)s must be 1 to 11 letters or digits.":
        "%(key)s của %(plugin)s phải gồm từ 1 đến 11 chữ cái hoặc chữ số.",
    "%(key)s of %(plugin)s must be a whole number from 1 to 5.":
        "%(key)s của %(plugin)s phải là số nguyên từ 1 đến 5.",
    "%(key)s of %(plugin)s must be true or false.": "%(key)s của %(plugin)s phải là true hoặc false.",
    "%(key)s of %(plugin)s must be an e-mail address.":
        "%(key)s của %(plugin)s phải là một địa chỉ thư điện tử.",
    "%(key)s of %(plugin)s must be one of %(values)s.": "%(key)s của %(plugin)s phải là một trong: %(values)s.",
    "%(key)s of %(plugin)s must be a port number.": "%(key)s của %(plugin)s phải là một số cổng hợp lệ.",
    "%(key)s of %(plugin)s must be a number of seconds.": "%(key)s của %(plugin)s phải là số giây.",
    "The environment variable %(name)s (password_env of %(plugin)s) is not set.":
        "Chưa đặt biến môi trường %(name)s (password_env của %(plugin)s).",
    "%(plugin)s has a username but no password (password or password_env).":
        "%(plugin)s có tên đăng nhập nhưng chưa có mật khẩu (password hoặc password_env).",
    # identity provider settings
    "The environment variable %(name)s (client_secret_env of %(plugin)s) is not set.":
        "Chưa đặt biến môi trường %(name)s (client_secret_env của %(plugin)s).",
    "%(plugin)s needs issuer, or authorization_endpoint, token_endpoint and userinfo_endpoint.":
        "%(plugin)s cần issuer, hoặc đủ authorization_endpoint, token_endpoint và userinfo_endpoint.",
    "%(key)s of %(plugin)s must be an https address.": "%(key)s của %(plugin)s phải là một địa chỉ https.",
    "%(key)s of %(plugin)s may map only %(values)s, each to a claim name.":
        "%(key)s của %(plugin)s chỉ được ánh xạ %(values)s, mỗi mục tới một tên claim.",
    # signing in through an identity provider
    "No account yet?": "Chưa có tài khoản?",
    "Or sign in with": "Hoặc đăng nhập bằng",
    "Sign in with %(provider)s": "Đăng nhập bằng %(provider)s",
    "Sign-in failed": "Đăng nhập không thành công",
    "Back to the sign-in page": "Quay lại trang đăng nhập",
    "There is no sign-in with %(name)s here.": "Không có hình thức đăng nhập bằng %(name)s.",
    "%(provider)s cannot be reached just now; please try again later.":
        "Không kết nối được với %(provider)s lúc này; vui lòng thử lại sau.",
    "This sign-in is not valid or has expired; please sign in again.":
        "Phiên đăng nhập không hợp lệ hoặc đã hết hạn; vui lòng đăng nhập lại.",
    "%(provider)s did not sign you in (cancelled or refused).":
        "%(provider)s không đăng nhập cho bạn (đã hủy hoặc bị từ chối).",
    "%(provider)s answered something we cannot use; please try again later.":
        "%(provider)s trả về thông tin không dùng được; vui lòng thử lại sau.",
    "The identity provider did not give a valid citizen ID (%(problem)s); no account was created.":
        "Nhà cung cấp định danh không cung cấp số định danh cá nhân hợp lệ (%(problem)s); "
        "hệ thống không tạo tài khoản.",
    "The date of birth the identity provider gave does not match the citizen ID; no account was "
    "created.":
        "Ngày sinh do nhà cung cấp định danh cung cấp không khớp với số định danh cá nhân; "
        "hệ thống không tạo tài khoản.",
    "This identity is linked to an account with another citizen ID; please contact the one-stop desk.":
        "Danh tính này đã gắn với một tài khoản có số định danh khác; vui lòng liên hệ Bộ phận Một cửa.",
    "This citizen ID belongs to a staff account; staff sign in with their username and password.":
        "Số định danh này thuộc một tài khoản cán bộ; cán bộ đăng nhập bằng tên đăng nhập và mật khẩu.",
    "This account is locked; please contact the one-stop desk.":
        "Tài khoản này đã bị khóa; vui lòng liên hệ Bộ phận Một cửa.",
    "The identity provider did not give your full name; no account was created.":
        "Nhà cung cấp định danh không cung cấp họ và tên; hệ thống không tạo tài khoản.",
}
