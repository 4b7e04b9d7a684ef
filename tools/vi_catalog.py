"""Vietnamese translations of every message, and the tool that writes the
catalogue: ``python tools/vi_catalog.py`` extracts the messages of builder/
and plugins/ (babel.cfg) and writes builder/translations/vi/LC_MESSAGES/messages.po.
A message with no entry here fails tests/test_i18n.py."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "builder" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"

VI = {
    # accounts
    "Must be text.": "Phải là chữ.",
    "Please enter your full name.": "Vui lòng nhập họ và tên.",
    "Is not a Vietnamese phone number.": "Không phải số điện thoại Việt Nam.",
    "Must be an e-mail address.": "Phải là địa chỉ thư điện tử.",
    "The password needs at least %(n)s characters.": "Mật khẩu phải có ít nhất %(n)s ký tự.",
    "The registration is not valid.": "Thông tin đăng ký không hợp lệ.",
    "An account with this citizen ID already exists.": "Đã có tài khoản với số định danh này.",
    "Unknown role.": "Vai trò không tồn tại.",
    "No agency has the code %(code)s.": "Không có cơ quan nào mang mã %(code)s.",
    "Staff accounts belong to an agency.": "Tài khoản cán bộ phải thuộc một cơ quan.",
    "The username %(name)s is taken.": "Tên đăng nhập %(name)s đã được sử dụng.",
    "An account with this username already exists.": "Đã có tài khoản với tên đăng nhập này.",
    # HTTP errors
    "The request is malformed.": "Yêu cầu không đúng định dạng.",
    "Please sign in.": "Vui lòng đăng nhập.",
    "You are not allowed to do this.": "Bạn không có quyền thực hiện thao tác này.",
    "Not found.": "Không tìm thấy.",
    "This method is not allowed here.": "Phương thức này không được phép ở đây.",
    "This is not possible in the current state.": "Không thể thực hiện ở trạng thái hiện tại.",
    "The request is too large.": "Yêu cầu quá lớn.",
    "This file type is not supported.": "Loại tệp này không được hỗ trợ.",
    "The data is not valid.": "Dữ liệu không hợp lệ.",
    "Too many requests; please wait a moment.": "Quá nhiều yêu cầu; vui lòng chờ trong giây lát.",
    "Something went wrong on our side; please try again later.":
        "Hệ thống gặp sự cố; vui lòng thử lại sau.",
    # admin
    "Dossiers": "Hồ sơ",
    "One-stop office": "Một cửa",
    "Procedures": "Thủ tục hành chính",
    "Services": "Dịch vụ công",
    "Agencies": "Cơ quan, đơn vị",
    "Background jobs": "Tác vụ nền",
    "Security": "Bảo mật",
    "Dossier": "Hồ sơ",
    "Dossier code": "Mã hồ sơ",
    "Procedure": "Thủ tục",
    "Version": "Phiên bản",
    "Agency": "Cơ quan",
    "Applicant": "Người nộp",
    "Citizen ID": "Số định danh cá nhân",
    "Phone": "Điện thoại",
    "E-mail": "Thư điện tử",
    "Status": "Trạng thái",
    "Channel": "Kênh tiếp nhận",
    "Submitted at": "Thời điểm nộp",
    "Received at": "Thời điểm tiếp nhận",
    "Due at": "Hạn giải quyết",
    "Returned at": "Thời điểm trả kết quả",
    "Form data": "Nội dung tờ khai",
    "Code": "Mã",
    "Name": "Tên",
    "Field": "Lĩnh vực",
    "Level": "Mức độ",
    "Online": "Trực tuyến",
    "Published version": "Phiên bản đã công bố",
    "Created at": "Ngày tạo",
    "Agency code": "Mã cơ quan",
    "Parent agency": "Cơ quan cấp trên",
    "Address": "Địa chỉ",
    # API
    "Your sign-in has expired or is invalid; please sign in again.":
        "Phiên đăng nhập đã hết hạn hoặc không hợp lệ; vui lòng đăng nhập lại.",
    "The request is too large (at most %(kb)s KB).": "Yêu cầu quá lớn (tối đa %(kb)s KB).",
    "Send the body as JSON (Content-Type: application/json).":
        "Vui lòng gửi nội dung dạng JSON (Content-Type: application/json).",
    "The request body is empty.": "Nội dung yêu cầu đang trống.",
    "The request body is not valid JSON.": "Nội dung yêu cầu không phải JSON hợp lệ.",
    "The page number must be a positive whole number.": "Số trang phải là số nguyên dương.",
    "The status must be a number from 0 to 10.": "Trạng thái phải là số từ 0 đến 10.",
    "This document is not ready yet.": "Văn bản này chưa sẵn sàng.",
    "No dossier %(code)s.": "Không tìm thấy hồ sơ %(code)s.",
    "The level must be 1, 2, 3 or 4.": "Mức độ phải là 1, 2, 3 hoặc 4.",
    "No published procedure has the code %(code)s.":
        "Không có thủ tục đã công bố nào mang mã %(code)s.",
    # citizen ID
    "A citizen ID has exactly 12 digits.": "Số định danh cá nhân phải gồm đúng 12 chữ số.",
    "The first three digits of a citizen ID must be a province code.":
        "Ba chữ số đầu của số định danh phải là mã tỉnh.",
    "The year of birth in this citizen ID lies in the future.":
        "Năm sinh trong số định danh này nằm ở tương lai.",
    # display
    "Yes": "Có",
    "No": "Không",
    # packages
    "Is not a valid JSON Schema: %(why)s": "Không phải JSON Schema hợp lệ: %(why)s",
    "Component ids must be unique.": "Mã thành phần hồ sơ không được trùng nhau.",
    "The service package is not valid.": "Gói dịch vụ không hợp lệ.",
    "The procedure %(code)s has no draft.": "Thủ tục %(code)s chưa có bản nháp.",
    # validation
    "text": "chữ",
    "a whole number": "số nguyên",
    "a number": "số",
    "yes or no": "có hoặc không",
    "a group of fields": "một nhóm trường",
    "a list": "một danh sách",
    "empty": "để trống",
    " or ": " hoặc ",
    "This field is required.": "Trường này là bắt buộc.",
    "Must be %(kind)s.": "Phải là %(kind)s.",
    "Must be at least %(n)s characters long.": "Phải có ít nhất %(n)s ký tự.",
    "Must be at most %(n)s characters long.": "Chỉ được tối đa %(n)s ký tự.",
    "Is not in the expected format.": "Không đúng định dạng.",
    "Is not a valid citizen ID.": "Không phải số định danh cá nhân hợp lệ.",
    "Must be a date (YYYY-MM-DD).": "Phải là ngày (YYYY-MM-DD).",
    "Is not one of the allowed choices.": "Không nằm trong các lựa chọn cho phép.",
    "Must be at least %(n)s.": "Phải lớn hơn hoặc bằng %(n)s.",
    "Must be at most %(n)s.": "Phải nhỏ hơn hoặc bằng %(n)s.",
    "Needs at least %(n)s rows.": "Cần ít nhất %(n)s dòng.",
    "Allows at most %(n)s rows.": "Chỉ cho phép tối đa %(n)s dòng.",
    "Contains fields that are not part of the form.": "Có trường không thuộc tờ khai.",
    "Is not valid.": "Không hợp lệ.",
    # notifications
    "Dossier %(code)s: %(status)s": "Hồ sơ %(code)s: %(status)s",
    "Your dossier %(code)s (%(procedure)s) is now: %(status)s.":
        "Hồ sơ %(code)s (%(procedure)s) của bạn hiện ở trạng thái: %(status)s.",
    # portal
    "Online public services": "Dịch vụ công trực tuyến",
    "Find a service": "Tìm dịch vụ công",
    "e.g. birth registration": "ví dụ: đăng ký khai sinh",
    "Search": "Tìm kiếm",
    "No service matches.": "Không có dịch vụ phù hợp.",
    "Follow a dossier": "Tra cứu hồ sơ",
    "Look up": "Tra cứu",
    "No dossier has this code.": "Không có hồ sơ nào mang mã này.",
    "Processing time": "Thời hạn giải quyết",
    "Who may apply": "Đối tượng thực hiện",
    "Result": "Kết quả",
    "Documents to attach": "Thành phần hồ sơ",
    "Document": "Giấy tờ",
    "Kind": "Loại",
    "Quantity": "Số lượng",
    "if any": "nếu có",
    "Fees": "Phí, lệ phí",
    "Free of charge": "Không mất phí",
    "Legal basis": "Căn cứ pháp lý",
    "working days": "ngày làm việc",
    "days": "ngày",
    "hours": "giờ",
    "original": "bản chính",
    "certified copy": "bản sao chứng thực",
    "photocopy": "bản sao",
    # dossiers
    "The request body must be a JSON object.": "Nội dung yêu cầu phải là một đối tượng JSON.",
    "Must be a group of fields.": "Phải là một nhóm trường.",
    "Must be yes or no.": "Phải là có hoặc không.",
    "The dossier is not valid.": "Hồ sơ không hợp lệ.",
    "This agency does not handle this procedure.": "Cơ quan này không giải quyết thủ tục này.",
    "This service does not return results this way.":
        "Dịch vụ này không trả kết quả theo hình thức đã chọn.",
    "Please attach: %(name)s.": "Vui lòng đính kèm: %(name)s.",
    "This service is not offered online.": "Dịch vụ này chưa được cung cấp trực tuyến.",
    "The dossier %(code)s was already submitted.": "Hồ sơ %(code)s đã được nộp.",
    "Files can only be attached to a draft or during a supplement.":
        "Chỉ được đính kèm tệp vào hồ sơ nháp hoặc khi bổ sung hồ sơ.",
    "The attachment is not valid.": "Tệp đính kèm không hợp lệ.",
    "A file may be at most %(mb)s MB.": "Mỗi tệp tối đa %(mb)s MB.",
    "Only PDF, JPEG and PNG files are accepted.": "Chỉ chấp nhận tệp PDF, JPEG và PNG.",
    # statuses (DOMAIN.md)
    "Draft": "Hồ sơ nháp",
    "Submitted, awaiting reception": "Mới đăng ký, chờ tiếp nhận",
    "Received": "Được tiếp nhận",
    "Refused at reception": "Không được tiếp nhận",
    "In processing": "Đang xử lý",
    "Waiting for a supplement": "Yêu cầu bổ sung giấy tờ",
    "Waiting for payment": "Yêu cầu thực hiện nghĩa vụ tài chính",
    "Withdrawn by the applicant": "Công dân yêu cầu rút hồ sơ",
    "Processing stopped": "Dừng xử lý",
    "Processed, result ready": "Đã xử lý xong",
    "Result returned": "Đã trả kết quả",
    # the working calendar
    "The working calendar has no working day near %(day)s.":
        "Lịch làm việc không có ngày làm việc nào gần %(day)s.",
    "The instant %(value)s has no time zone.": "Thời điểm %(value)s không có múi giờ.",
    "The office hours %(hours)s are not in order.": "Giờ làm việc %(hours)s không theo thứ tự.",
    "The office hours are empty.": "Chưa khai báo giờ làm việc.",
    "Unknown duration unit %(unit)s; use one of %(units)s.":
        "Đơn vị thời hạn %(unit)s không hợp lệ; hãy dùng một trong: %(units)s.",
    "The duration %(value)s is not a number of zero or more.":
        "Thời hạn %(value)s không phải là số lớn hơn hoặc bằng 0.",
    "start must be an ISO 8601 instant with its time zone.":
        "start phải là thời điểm theo ISO 8601, có múi giờ.",
    "value must be a number.": "value phải là một số.",
    "Step ids must be unique.": "Mã các bước không được trùng nhau.",
    "The first step is the reception desk's: role Desk, with the action receive.":
        "Bước đầu tiên là của Bộ phận Một cửa: vai trò Desk, có thao tác receive.",
    "No step has the id %(id)s.": "Không có bước nào mang mã %(id)s.",
    "This action must say which step it leads to.": "Thao tác này phải chỉ rõ bước tiếp theo.",
    "%(name)s must be a date (YYYY-MM-DD).": "%(name)s phải là ngày (YYYY-MM-DD).",
    "from must not be after to.": "from không được sau to.",
    "due must be soon or overdue.": "due phải là soon hoặc overdue.",
    "The evaluation is not valid.": "Đánh giá không hợp lệ.",
    "Choose 1, 2 or 3.": "Hãy chọn 1, 2 hoặc 3.",
    "A dossier can be evaluated once it is resolved.": "Chỉ đánh giá được hồ sơ đã giải quyết xong.",
    "This dossier was already evaluated.": "Hồ sơ này đã được đánh giá.",
    "Dossier %(code)s is overdue (due %(due)s)": "Hồ sơ %(code)s đã quá hạn (hạn %(due)s)",
    "Dossier %(code)s is due soon (%(due)s)": "Hồ sơ %(code)s sắp đến hạn (%(due)s)",
    "You may only design the services of your agency.":
        "Bạn chỉ được thiết kế dịch vụ của cơ quan mình.",
    "No procedure has the code %(code)s.": "Không có thủ tục nào mang mã %(code)s.",
    "A procedure with the code %(code)s exists; replace its draft with PUT.":
        "Đã có thủ tục mang mã %(code)s; hãy thay bản nháp bằng PUT.",
    "The code in the body must be %(code)s.": "Mã trong nội dung phải là %(code)s.",
    "Send the process as BPMN XML (Content-Type: application/xml).":
        "Vui lòng gửi quy trình dạng BPMN XML (Content-Type: application/xml).",
    "The BPMN process cannot be used.": "Không sử dụng được quy trình BPMN này.",
    "BPMN element %(element)s: %(why)s": "Phần tử BPMN %(element)s: %(why)s",
    "Work queue": "Hồ sơ cần xử lý",
    "Filters": "Bộ lọc",
    "All": "Tất cả",
    "Deadline": "Thời hạn",
    "Due soon": "Sắp đến hạn",
    "Overdue": "Quá hạn",
    "Assigned to me": "Được giao cho tôi",
    "Filter": "Lọc",
    "No dossier here.": "Không có hồ sơ nào.",
    "Attachments": "Tệp đính kèm",
    "None": "Không có",
    "Documents": "Văn bản",
    "History": "Quá trình xử lý",
    "Time": "Thời gian",
    "Action": "Thao tác",
    "By": "Người thực hiện",
    "Comment": "Ý kiến",
    "Actions": "Thao tác",
    "Officer": "Công chức",
    "To agency": "Chuyển đến cơ quan",
    "Its deadline (working days)": "Thời hạn của cơ quan đó (ngày làm việc)",
    "New return date": "Ngày hẹn trả mới",
    "Nothing for you to do on this dossier now.": "Không có thao tác nào bạn cần thực hiện với hồ sơ này lúc này.",
    "Done: %(action)s.": "Đã thực hiện: %(action)s.",
    "The form has expired; please try again.": "Biểu mẫu đã hết hạn; vui lòng thử lại.",
    "No such attachment.": "Không có tệp đính kèm này.",
    "Only the reception desk registers paper dossiers.": "Chỉ Bộ phận Một cửa được đăng ký hồ sơ giấy.",
    "Submitted in person at the one-stop desk.": "Nộp trực tiếp tại Bộ phận Một cửa.",
    "Statistics": "Thống kê",
    "From": "Từ ngày",
    "To": "Đến ngày",
    "By procedure": "Theo thủ tục",
    "Document templates": "Mẫu văn bản",
    "Template": "Mẫu",
    "HTML (Jinja)": "HTML (Jinja)",
    "Updated at": "Cập nhật lúc",
    "Updated by": "Người cập nhật",
    "The file it replaces, e.g. receipt.html": "Tên mẫu được thay thế, ví dụ receipt.html",
    "It may extend the shipped one: {% extends \"receipt.html\" %} does not work for the same name; copy the shipped template and change it.":
        "Không thể dùng {% extends \"receipt.html\" %} với chính tên đó; hãy sao chép mẫu có sẵn rồi sửa.",
    "No shipped template has this name.": "Không có mẫu nào mang tên này.",
    "Your account belongs to no agency.": "Tài khoản của bạn không thuộc cơ quan nào.",
    "The request is not valid.": "Yêu cầu không hợp lệ.",
    "Choose a year from 2000 to 2100.": "Hãy chọn năm từ 2000 đến 2100.",
    "Process designer": "Thiết kế quy trình",
    "Design the process": "Thiết kế quy trình",
    "No service here.": "Chưa có dịch vụ nào.",
    "Process": "Quy trình",
    "Download as BPMN 2.0": "Tải về dạng BPMN 2.0",
    "The process cannot be saved:": "Chưa lưu được quy trình:",
    "Steps": "Các bước",
    "Position": "Thứ tự",
    "Step id": "Mã bước",
    "Role": "Vai trò",
    "Time budget": "Thời hạn",
    "Unit": "Đơn vị",
    "Actions (one per line: action -> next step [role])": "Thao tác (mỗi dòng một thao tác: thao tác -> bước tiếp theo [vai trò])",
    "Remove": "Xóa",
    "The last row adds a step. Change the positions to reorder the steps.":
        "Dòng cuối để thêm bước mới. Đổi số thứ tự để sắp xếp lại các bước.",
    "Save the draft": "Lưu bản nháp",
    "The time budget must be a number.": "Thời hạn phải là một số.",
    "Cannot read the action lines: %(lines)s": "Không đọc được các dòng thao tác: %(lines)s",
    "The draft of the process is saved; publish it to use it.":
        "Đã lưu bản nháp quy trình; hãy công bố để áp dụng.",
    "Register a paper dossier": "Tiếp nhận hồ sơ giấy",
    "Choose": "Chọn",
    "Full name": "Họ và tên",
    "Documents received": "Giấy tờ đã nhận",
    "Scan of": "Bản quét của",
    "at the desk": "tại Bộ phận Một cửa",
    "online": "trực tuyến",
    "by post": "qua bưu chính",
    "Receive and print the receipt": "Tiếp nhận và in giấy biên nhận",
    "Received: %(code)s. The receipt is being printed.": "Đã tiếp nhận: %(code)s. Giấy tiếp nhận đang được in.",
    "e.g. 07:30-11:30, 13:30-17:00; empty: the parent agency's":
        "ví dụ 07:30-11:30, 13:30-17:00; để trống: theo cơ quan cấp trên",
    "Office hours must read like 07:30-11:30, 13:30-17:00.": "Giờ làm việc phải có dạng 07:30-11:30, 13:30-17:00.",
    "Office hours": "Giờ làm việc",
    # the process engine
    "Unknown action %(action)s.": "Thao tác %(action)s không tồn tại.",
    "The action %(action)s is not possible when the dossier is: %(status)s.":
        "Không thể thực hiện thao tác %(action)s khi hồ sơ đang ở trạng thái: %(status)s.",
    "Only the applicant may do this.": "Chỉ người nộp hồ sơ được thực hiện thao tác này.",
    "The action %(action)s is not possible at this step.":
        "Không thể thực hiện thao tác %(action)s ở bước này.",
    "This step is for the role %(role)s.": "Bước này do vai trò %(role)s thực hiện.",
    "This dossier is handled by another agency.": "Hồ sơ này do cơ quan khác xử lý.",
    "This step is for the agency %(code)s.": "Bước này do cơ quan %(code)s thực hiện.",
    "The action is not valid.": "Thao tác không hợp lệ.",
    "Someone else acted on this dossier at the same time; please reload.":
        "Người khác vừa xử lý hồ sơ này cùng lúc; vui lòng tải lại.",
    "The process leads to an unknown step %(step)s.": "Quy trình dẫn tới bước không tồn tại %(step)s.",
    "A supplement may only be requested within %(n)s working days of reception.":
        "Chỉ được yêu cầu bổ sung trong vòng %(n)s ngày làm việc kể từ ngày tiếp nhận.",
    "Choose an officer of the agency handling this dossier.":
        "Hãy chọn một công chức của cơ quan đang xử lý hồ sơ.",
    "Choose another existing agency.": "Hãy chọn một cơ quan khác đang tồn tại.",
    "An apology was already issued for this dossier; it is allowed once.":
        "Hồ sơ này đã có văn bản xin lỗi; chỉ được xin lỗi một lần.",
    "This dossier has no due date yet.": "Hồ sơ này chưa có hạn giải quyết.",
    "An apology must come at least one working day before the due date.":
        "Văn bản xin lỗi phải được ban hành chậm nhất một ngày làm việc trước hạn trả kết quả.",
    "Choose a working day after the current due date.": "Hãy chọn một ngày làm việc sau hạn hiện tại.",
    # payments
    "%(key)s is not set in PLUGINS[\"%(plugin)s\"].": "Chưa khai báo %(key)s trong PLUGINS[\"%(plugin)s\"].",
    "%(key)s of %(plugin)s must be an http(s) address.": "%(key)s của %(plugin)s phải là một địa chỉ http(s).",
    "%(key)s of %(plugin)s must be a whole number of 1 or more.":
        "%(key)s của %(plugin)s phải là số nguyên lớn hơn hoặc bằng 1.",
    "No payment gateway is named %(name)s.": "Không có cổng thanh toán nào tên %(name)s.",
    "The dossier %(code)s has no fee to pay.": "Hồ sơ %(code)s không có phí, lệ phí phải nộp.",
    "Fees of dossier %(code)s": "Nộp phí, lệ phí hồ sơ %(code)s",
    "The payment gateway %(name)s could not start the payment; please try again later.":
        "Cổng thanh toán %(name)s không khởi tạo được giao dịch; vui lòng thử lại sau.",
    "The fees cannot be paid when the dossier is: %(status)s.":
        "Không thể nộp phí, lệ phí khi hồ sơ đang ở trạng thái: %(status)s.",
    "The payment is not valid.": "Yêu cầu thanh toán không hợp lệ.",
    "This service does not take payments online.": "Dịch vụ này không hỗ trợ thanh toán trực tuyến.",
    "This service takes payments through %(name)s.": "Dịch vụ này nhận thanh toán qua %(name)s.",
    "The payment gateway %(name)s is not set up yet.": "Cổng thanh toán %(name)s chưa được cấu hình.",
    "The fees of dossier %(code)s are already paid.": "Phí, lệ phí của hồ sơ %(code)s đã được thanh toán.",
    "A payment of this dossier is in progress; finish it, or start another in %(minutes)s minutes.":
        "Hồ sơ này đang có một giao dịch thanh toán chưa hoàn tất; vui lòng hoàn tất giao dịch đó "
        "hoặc thử lại sau %(minutes)s phút.",
    "Paid %(amount)s VND through %(gateway)s.": "Đã nộp %(amount)s đồng qua %(gateway)s.",
    "The payment gateway's answer could not be verified.":
        "Không xác thực được phản hồi của cổng thanh toán.",
    "No payment matches this answer.": "Không tìm thấy giao dịch thanh toán tương ứng.",
    "The fees of dossier %(code)s are paid.": "Đã thanh toán xong phí, lệ phí của hồ sơ %(code)s.",
    "The gateway reports the payment of dossier %(code)s as made; it will show as paid once the "
    "gateway confirms it.":
        "Cổng thanh toán báo giao dịch của hồ sơ %(code)s đã được thực hiện; hồ sơ sẽ hiện là đã "
        "thanh toán khi cổng thanh toán xác nhận.",
    "You cancelled the payment of dossier %(code)s.": "Bạn đã hủy giao dịch thanh toán của hồ sơ %(code)s.",
    "The payment of dossier %(code)s did not go through.":
        "Giao dịch thanh toán của hồ sơ %(code)s không thành công.",
    "Payment of fees": "Thanh toán phí, lệ phí",
    "Amount: %(amount)s VND": "Số tiền: %(amount)s đồng",
    # Flask-AppBuilder's own pages, which ship no Vietnamese
    "Login": "Đăng nhập",
    "Logout": "Đăng xuất",
    "Sign In": "Đăng nhập",
    "User": "Người dùng",
    "Username": "Tên đăng nhập",
    "Password": "Mật khẩu",
    "Home": "Trang chủ",
    "List": "Danh sách",
    "Show": "Xem",
    "Back": "Quay lại",
    "Record Count": "Số bản ghi",
    "Add Filter": "Thêm bộ lọc",
    "Refresh": "Làm mới",
    "Show item": "Xem chi tiết",
    "No records found": "Không có bản ghi nào",
    "Invalid login. Please try again.": "Đăng nhập không thành công. Vui lòng thử lại.",
    "Enter your login and password below:": "Nhập tên đăng nhập và mật khẩu:",
}


def _more_translations() -> dict[str, str]:
    """Translations kept beside this file in vi_*.py modules (one per area),
    each with a VI dict like the one above."""
    import importlib.util

    more: dict[str, str] = {}
    for path in sorted(Path(__file__).parent.glob("vi_*.py")):
        if path.name == Path(__file__).name:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        more.update(module.VI)
    return more


VI.update(_more_translations())


def extract() -> Path:
    pot = ROOT / "build" / "messages.pot"
    pot.parent.mkdir(exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
         "-k", "lazy_gettext", "-k", "_l", "-k", "_", "-o", str(pot),
         str(ROOT / "builder"), str(ROOT / "plugins")],
        check=True, capture_output=True, cwd=ROOT,
    )
    return pot


def main() -> None:
    with extract().open("rb") as source:
        catalog = read_po(source, locale="vi")
    for msgid, text in VI.items():
        if msgid not in catalog:
            catalog.add(msgid, text)
    missing = []
    for message in catalog:
        if message.id:
            message.string = VI.get(message.id, "")
            if not message.string:
                missing.append(message.id)
    catalog.project, catalog.version = "Một Cửa Builder", "0.1"
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with TARGET.open("wb") as out:
        write_po(out, catalog, width=100, omit_header=False, sort_output=True)
    if missing:
        sys.exit("untranslated: " + "; ".join(missing))


if __name__ == "__main__":
    main()
