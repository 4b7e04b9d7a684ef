"""Vietnamese of the messages of the form designer's pages, help texts and
placed attachments (read by tools/vi_catalog.py)."""

VI = {
    # layout.py and layout_edits.py
    "Help text": "Đoạn hướng dẫn",
    "Attachment": "Tệp đính kèm",
    "Attachment: %(name)s": "Tệp đính kèm: %(name)s",
    "Page": "Trang",
    "The page %(n)s no longer exists.": "Trang %(n)s không còn tồn tại.",
    "Must be an object of elements by key.": "Phải là một đối tượng gồm các phần tử theo mã.",
    "A field of the form already has the key %(key)s.": "Đã có một trường của biểu mẫu mang mã %(key)s.",
    "Must be note or attachment.": "Phải là note (đoạn hướng dẫn) hoặc attachment (tệp đính kèm).",
    "The help text is empty.": "Đoạn hướng dẫn chưa có nội dung.",
    "The help text is longer than %(n)s characters.": "Đoạn hướng dẫn dài quá %(n)s ký tự.",
    "The service has no document to attach with the id %(id)s.":
        "Dịch vụ không có thành phần hồ sơ nào mang mã %(id)s.",
    "The document %(name)s is already placed at %(key)s.": "Giấy tờ «%(name)s» đã được đặt tại %(key)s.",
    "Must be a list of pages.": "Phải là một danh sách các trang.",
    "A page is an object with a title and its fields.": "Mỗi trang là một đối tượng gồm tiêu đề và các trường của trang.",
    "The page needs a title.": "Trang cần có tiêu đề.",
    "Must be a list of keys.": "Phải là một danh sách mã trường.",
    "No field or element has the key %(key)s.": "Không có trường hay phần tử nào mang mã %(key)s.",
    "%(key)s is already on page %(n)s.": "%(key)s đã nằm ở trang %(n)s.",
    "Choose one of the documents to attach.": "Hãy chọn một thành phần hồ sơ cần đính kèm.",
    # the portal
    "Not attached yet": "Chưa đính kèm",
    # the designer page
    "On page": "Ở trang",
    "Page %(n)s: %(title)s": "Trang %(n)s: %(title)s",
    "Page %(n)s": "Trang %(n)s",
    "For an item at the top of the form (not in a group).": "Với mục ở cấp ngoài cùng của biểu mẫu (không nằm trong nhóm).",
    "Pages": "Các trang",
    "The citizen fills the form one page at a time, then reviews it before submitting.":
        "Người dân điền biểu mẫu lần lượt từng trang, rồi xem lại trước khi nộp.",
    "The form is on one page. Add a page to fill it in steps: the fields so far go on the first page.":
        "Biểu mẫu đang ở một trang. Thêm trang để điền theo từng bước: các trường hiện có sẽ nằm ở trang đầu.",
    "Title of page %(n)s": "Tiêu đề trang %(n)s",
    "Rename": "Đổi tên",
    "Move page %(n)s up": "Đưa trang %(n)s lên trên",
    "Move page %(n)s down": "Đưa trang %(n)s xuống dưới",
    "Delete page %(n)s (its fields join the page before)": "Xóa trang %(n)s (các trường của trang chuyển sang trang trước)",
    "New page": "Trang mới",
    "Title of the page": "Tiêu đề của trang",
    "Add a page": "Thêm trang",
    "Move with the arrow buttons or by dragging a row; at the top of a form in pages, drag a row onto another page or choose its page.":
        "Di chuyển bằng các nút mũi tên hoặc kéo thả dòng; với biểu mẫu nhiều trang, kéo dòng sang trang khác hoặc chọn trang của nó.",
    "This page is empty: the citizen does not see it. Move fields here.":
        "Trang này đang trống nên người dân không thấy. Hãy chuyển trường vào đây.",
    "Page of %(field)s": "Trang của «%(field)s»",
    "Move %(field)s to the chosen page": "Chuyển «%(field)s» sang trang đã chọn",
    "Edit the help text": "Sửa đoạn hướng dẫn",
    "Edit the attachment": "Sửa tệp đính kèm",
    "Add a help text or a document to attach": "Thêm đoạn hướng dẫn hoặc giấy tờ đính kèm",
    "A help text is a paragraph of guidance between the fields; an attachment asks for one of the service's documents at that point of the form. Neither is part of the submitted data.":
        "Đoạn hướng dẫn là một đoạn chỉ dẫn nằm giữa các trường; tệp đính kèm yêu cầu một thành phần hồ sơ "
        "ngay tại vị trí đó của biểu mẫu. Cả hai đều không thuộc dữ liệu được nộp.",
    "Title (optional)": "Tiêu đề (không bắt buộc)",
    "Text": "Nội dung",
    "A blank line starts a new paragraph.": "Một dòng trống bắt đầu đoạn mới.",
    "Save the help text": "Lưu đoạn hướng dẫn",
    "Add the help text": "Thêm đoạn hướng dẫn",
    "Document to attach": "Giấy tờ đính kèm",
    "Document": "Giấy tờ",
    "already placed": "đã được đặt",
    "Whether the file is required is set on the document (*), for the form and the desk alike.":
        "Việc tệp có bắt buộc hay không do thành phần hồ sơ quy định (*), chung cho biểu mẫu và bộ phận một cửa.",
    "Label (optional: the document's name by default)": "Nhãn (không bắt buộc: mặc định là tên giấy tờ)",
    "Save the attachment": "Lưu tệp đính kèm",
    "Add the attachment": "Thêm tệp đính kèm",
    "The service has no documents to attach yet.": "Dịch vụ chưa có thành phần hồ sơ nào.",
    "Then the citizen reviews the answers and submits.": "Sau đó người dân xem lại các câu trả lời và nộp hồ sơ.",
}
