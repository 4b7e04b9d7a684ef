"""Vietnamese of the messages of the form compiler and the citizen's online
form in the portal (read by tools/vi_catalog.py)."""

VI = {
    # the form compiler
    "— Choose —": "— Chọn —",
    "Row %(n)s": "Dòng %(n)s",
    # the online form
    "Required if %(field)s is %(value)s.": "Bắt buộc nếu %(field)s là %(value)s.",
    "Required if %(field)s is filled in.": "Bắt buộc nếu đã khai %(field)s.",
    "required": "bắt buộc",
    "Remove row": "Xóa dòng",
    "Add a row": "Thêm dòng",
    "Service": "Dịch vụ",
    "Draft no. %(id)s": "Bản nháp số %(id)s",
    "Fields marked * are required.": "Các trường đánh dấu * là bắt buộc.",
    "The dossier cannot be submitted yet:": "Hồ sơ chưa thể nộp:",
    "How to receive the result": "Hình thức nhận kết quả",
    "Choose how to receive the result.": "Vui lòng chọn hình thức nhận kết quả.",
    "At the one-stop desk": "Tại Bộ phận Một cửa",
    "By post": "Qua dịch vụ bưu chính",
    "PDF, JPEG or PNG files.": "Tệp PDF, JPEG hoặc PNG.",
    "Attached: %(name)s": "Đã đính kèm: %(name)s",
    "Save draft": "Lưu nháp",
    "Submit the dossier": "Nộp hồ sơ",
    "The draft is saved. You can come back to it later.": "Đã lưu nháp. Bạn có thể quay lại khai tiếp sau.",
    "Your dossier has been submitted.": "Hồ sơ của bạn đã được nộp.",
    "Follow this dossier": "Tra cứu hồ sơ này",
    "The filled form (PDF)": "Tờ khai đã điền (PDF)",
    "Keep this code: you need it to follow the dossier.": "Vui lòng ghi lại mã hồ sơ để tra cứu.",
    "This dossier is a draft that has not been submitted.": "Hồ sơ này là bản nháp, chưa được nộp.",
    "Continue filling it in": "Tiếp tục khai",
    "Apply online": "Nộp trực tuyến",
    "Download the form": "Tải mẫu đơn",
    "Applying online needs a citizen account.": "Cần có tài khoản công dân để nộp trực tuyến.",
    # one page at a time, and the review page
    "Steps": "Các bước",
    "Step %(n)s/%(total)s": "Bước %(n)s/%(total)s",
    "Please correct this page:": "Vui lòng sửa các lỗi trên trang này:",
    "Back": "Quay lại",
    "Continue": "Tiếp tục",
    "Review and submit": "Xem lại và nộp",
    "Check your answers before submitting the dossier.": "Vui lòng kiểm tra lại thông tin trước khi nộp hồ sơ.",
    "Edit": "Sửa",
    "Nothing filled in.": "Chưa khai thông tin.",
    # the address widget
    "— Choose the province first —": "— Chọn tỉnh/thành phố trước —",
    "Choose": "Chọn",
    # registration
    "Create a citizen account": "Đăng ký tài khoản công dân",
    "Full name": "Họ và tên",
    "Register": "Đăng ký",
    "Already have an account?": "Đã có tài khoản?",
    "Your account is ready: sign in with your citizen ID.":
        "Đã tạo tài khoản: hãy đăng nhập bằng số định danh cá nhân.",
}
