"""The citizen's online form in the portal, through the Flask test client:
signing in, filling, attaching, saving a draft, submitting."""
from __future__ import annotations

import io
import re
from html import unescape

from sqlalchemy import select

from builder.extensions import db
from builder.models import Dossier
from tests.helpers import BIRTH_CODE, MINIMAL_PDF, example_data, register_citizen

APPLY = f"/dich-vu/{BIRTH_CODE}/nop-ho-so"
PASSWORD = "mat-khau-123"


def signed_in(app, id_number="001090012345"):
    browser = app.test_client()
    assert register_citizen(browser, id_number).status_code == 201
    response = browser.post("/login/", data={"username": id_number, "password": PASSWORD},
                            follow_redirects=True)
    assert response.status_code == 200
    return browser


def flatten(data: dict, prefix: str = "") -> dict:
    """JSON form data as the browser encodes the compiled form."""
    posted = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            posted.update(flatten(value, f"{name}-"))
        elif isinstance(value, bool):
            posted[name] = "true" if value else "false"
        else:
            posted[name] = str(value)
    return posted


def birth_form(package, **changes) -> dict:
    posted = flatten(example_data(package))
    posted.update(changes)
    return {key: value for key, value in posted.items() if value is not None}


def field_block(html: str, field_id: str) -> str:
    """The form-group around a field: its label, input and errors."""
    start = html.index(f'id="{field_id}"')
    begin = html.rfind('<div class="form-group', 0, start)
    end = html.index("</div>", start)
    return html[begin:end]


def test_anonymous_citizens_are_sent_to_sign_in(app, client, library):
    response = client.get(APPLY)
    assert response.status_code == 302
    assert "/login/" in response.headers["Location"] and "nop-ho-so" in response.headers["Location"]


def test_the_procedure_page_links_to_the_online_form(app, client, library):
    html = client.get(f"/dich-vu/{BIRTH_CODE}").get_data(as_text=True)
    assert "Nộp trực tuyến" in html and APPLY in html
    assert "Tải mẫu đơn" in html and f"/api/v1/procedures/{BIRTH_CODE}/form.pdf" in html


def test_a_citizen_submits_the_birth_registration(app, library, birth_package):
    browser = signed_in(app)
    page = browser.get(APPLY).get_data(as_text=True)
    assert '<label class="control-label" for="child-full_name">Họ, chữ đệm, tên' in page
    assert "Bắt buộc nếu Đã xác định được người cha là Có." in page  # the condition, in words
    assert 'name="component-birth_certificate"' in page and "Lưu nháp" in page

    form = birth_form(birth_package, delivery_method="online", action="submit")
    form["component-birth_certificate"] = (io.BytesIO(MINIMAL_PDF), "giay-chung-sinh.pdf")
    response = browser.post(APPLY, data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    done = browser.get(response.headers["Location"]).get_data(as_text=True)
    code = re.search(r'id="dossier-code">([^<]+)<', done).group(1)
    assert f"/api/v1/dossiers/{code}/documents/form.pdf" in done
    assert f"/dich-vu/tra-cuu?code={code}" in unescape(done)
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier.data == example_data(birth_package)
        assert dossier.delivery == {"method": "online"}
        assert [a.component for a in dossier.attachments] == ["birth_certificate"]


def test_errors_are_shown_next_to_their_fields_and_nothing_typed_is_lost(app, library, birth_package):
    browser = signed_in(app)
    form = birth_form(birth_package, **{
        "child-full_name": "",  # required
        "mother-birth_year": "một chín chín ba",  # not a number
        "requester-id_number": "12345",  # not a citizen ID
        "father-residence": None,  # the father is known: his residence is required
        "action": "submit",
    })
    response = browser.post(APPLY, data=form, content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="error-summary"' in html
    assert 'href="#child-full_name"' in html and 'href="#mother-birth_year"' in html
    assert "Trường này là bắt buộc." in field_block(html, "child-full_name")
    year = field_block(html, "mother-birth_year")
    assert "Phải là số nguyên." in year and 'value="một chín chín ba"' in year
    assert 'aria-describedby="mother-birth_year-error"' in year
    assert "12 chữ số" in field_block(html, "requester-id_number")
    assert "Trường này là bắt buộc." in field_block(html, "father-residence")
    assert "Giấy chứng sinh" in html and 'href="#component-birth_certificate"' in html  # no file yet
    assert 'value="Trần Thị Thu Hương"' in html  # what was typed is kept
    assert "Vui lòng chọn hình thức nhận kết quả." in html
    with app.app_context():  # kept as a draft, never submitted
        assert db.session.scalar(select(Dossier.code)) is None


def test_a_draft_is_saved_and_resumed(app, library, birth_package):
    browser = signed_in(app)
    form = {"child-full_name": "Nguyễn Minh Khôi", "child-birth_date": "2026-11-02",
            "father_known": "true", "action": "save"}
    response = browser.post(APPLY, data=form, content_type="multipart/form-data")
    assert response.status_code == 302
    resume = response.headers["Location"]
    assert "ho_so=" in resume
    html = browser.get(resume).get_data(as_text=True)
    assert "Đã lưu nháp" in html
    assert 'value="Nguyễn Minh Khôi"' in html and 'value="2026-11-02"' in html
    assert re.search(r'id="father_known-0"[^>]*checked|checked[^>]*id="father_known-0"', html)
    draft_id = re.search(r"ho_so=(\d+)", resume).group(1)

    # finish it later, with the file
    form = birth_form(birth_package, delivery_method="desk", action="submit", ho_so=draft_id)
    form["component-birth_certificate"] = (io.BytesIO(MINIMAL_PDF), "giay-chung-sinh.pdf")
    response = browser.post(APPLY, data=form, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        dossiers = list(db.session.scalars(select(Dossier)))
        assert len(dossiers) == 1 and dossiers[0].code and dossiers[0].id == int(draft_id)

    # another citizen cannot open it
    other = signed_in(app, "001190012346")
    assert other.get(f"{APPLY}?ho_so={draft_id}").status_code == 404


def test_rows_are_added_and_removed_without_javascript(app, library, birth_package):
    from builder.forms.package import import_package
    from tests.conftest import LIBRARY
    import json

    package = json.loads((LIBRARY / "criminal_record_certificate.json").read_text("utf-8"))
    with app.app_context():
        import_package(db.session, package, published_by="tests")
        db.session.commit()
    browser = signed_in(app)
    url = f"/dich-vu/{package['code']}/nop-ho-so"
    html = browser.get(url).get_data(as_text=True)
    assert 'name="residence_history-0-place"' in html and "residence_history-1-place" not in html
    response = browser.post(url, data={"residence_history-0-place": "Số 9 phố Chùa Bộc",
                                       "add_row": "residence_history"})
    html = response.get_data(as_text=True)
    assert 'name="residence_history-1-place"' in html and "Số 9 phố Chùa Bộc</textarea>" in html
    assert "Xóa dòng" in html
    response = browser.post(url, data={"residence_history-0-place": "Số 9 phố Chùa Bộc",
                                       "residence_history-1-place": "Ký túc xá",
                                       "remove_row": "residence_history-0"})
    html = response.get_data(as_text=True)
    assert "Ký túc xá</textarea>" in html and "Số 9 phố Chùa Bộc" not in html


def test_registration_shows_its_errors_and_creates_the_account(app, client):
    response = client.post("/dich-vu/dang-ky", data={"id_number": "123", "full_name": "",
                                                    "password": "ngan"})
    html = response.get_data(as_text=True)
    assert "12 chữ số" in html and "Vui lòng nhập họ và tên." in html and "Mật khẩu phải có" in html
    assert 'value="123"' in html
    response = client.post("/dich-vu/dang-ky", data={
        "id_number": "001090012345", "full_name": "Nguyễn Văn Hùng", "phone": "0912345678",
        "email": "", "password": PASSWORD})
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    signed = client.post("/login/", data={"username": "001090012345", "password": PASSWORD})
    assert signed.status_code == 302


# --- one page at a time, with a review page ---------------------------------------

STEPPED = "1.001193.000.00.00.H26.B"


def stepped(app, birth_package) -> str:
    """The birth registration in three pages, under another code."""
    import copy

    from builder.forms.package import import_package

    package = copy.deepcopy(birth_package)
    package["code"] = STEPPED
    package["form"].setdefault("ui", {})["pages"] = [
        {"title": "Người yêu cầu và trẻ", "fields": ["requester", "child"]},
        {"title": "Cha và mẹ", "fields": ["mother", "father_known", "father"]},
        {"title": "Bản sao", "fields": ["copies"]},
    ]
    with app.app_context():
        import_package(db.session, package, published_by="tests")
        db.session.commit()
    return f"/dich-vu/{STEPPED}/nop-ho-so"


def page_of(posted: dict, *keys: str) -> dict:
    return {k: v for k, v in posted.items() if k.split("-")[0] in keys}


def test_a_form_in_pages_is_filled_one_page_at_a_time(app, library, birth_package):
    url = stepped(app, birth_package)
    browser = signed_in(app)
    html = browser.get(url).get_data(as_text=True)
    assert "Bước 1/3: Người yêu cầu và trẻ" in html and 'name="child-full_name"' in html
    assert 'name="mother-full_name"' not in html and "Tiếp tục" in html
    posted = birth_form(birth_package)

    # only this page's errors stop "Continue"; what was typed stays
    first = page_of(posted, "requester", "child")
    response = browser.post(url, data={**first, "child-full_name": "", "buoc": "1", "action": "next"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Trường này là bắt buộc." in field_block(html, "child-full_name")
    assert 'href="#mother-full_name"' not in html and 'value="Nguyễn Văn Hùng"' in html
    draft_id = re.search(r'name="ho_so" value="(\d+)"', html).group(1)

    response = browser.post(url, data={**first, "buoc": "1", "ho_so": draft_id, "action": "next"})
    assert response.status_code == 302 and "buoc=2" in response.headers["Location"]
    html = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bước 2/3: Cha và mẹ" in html and 'name="child-full_name"' not in html
    assert "Quay lại" in html
    second = page_of(posted, "mother", "father_known", "father")
    # "Back" keeps what was typed on this page too
    response = browser.post(url, data={**second, "buoc": "2", "ho_so": draft_id, "action": "back"})
    assert "buoc=1" in response.headers["Location"]
    html = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="Nguyễn Minh Khôi"' in html  # page 1, from the draft
    response = browser.post(url, data={"buoc": "1", "ho_so": draft_id, **first, "action": "next"})
    html = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="Trần Thị Thu Hương"' in html  # page 2 was saved on "Back"
    response = browser.post(url, data={**second, "buoc": "2", "ho_so": draft_id, "action": "next"})
    assert "buoc=3" in response.headers["Location"]
    response = browser.post(url, data={"copies": "2", "buoc": "3", "ho_so": draft_id, "action": "next"})
    assert "buoc=xem-lai" in response.headers["Location"]

    review = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Xem lại và nộp" in review and "Nguyễn Minh Khôi" in review and "Trần Thị Thu Hương" in review
    assert "02/11/2026" in review  # read as the display shows it
    assert unescape(review).count(f"ho_so={draft_id}&buoc=") >= 3 and "Sửa" in review
    form = {"buoc": "xem-lai", "ho_so": draft_id, "delivery_method": "online", "action": "submit",
            "component-birth_certificate": (io.BytesIO(MINIMAL_PDF), "giay-chung-sinh.pdf")}
    response = browser.post(url, data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "/dich-vu/ho-so/" in response.headers["Location"]
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code.is_not(None)))
        assert dossier.data == example_data(birth_package)
        assert [a.component for a in dossier.attachments] == ["birth_certificate"]


def test_submitting_from_the_review_goes_to_the_first_page_with_an_error(app, library, birth_package):
    url = stepped(app, birth_package)
    browser = signed_in(app)
    posted = birth_form(birth_package, **{"father-residence": None})
    response = browser.post(url, data={**page_of(posted, "requester", "child"), "buoc": "1",
                                       "action": "save"})
    draft_id = re.search(r"ho_so=(\d+)", response.headers["Location"]).group(1)
    browser.post(url, data={"copies": "2", "buoc": "3", "ho_so": draft_id, "action": "next"})
    browser.post(url, data={**page_of(posted, "mother", "father_known", "father"), "buoc": "2",
                            "ho_so": draft_id, "action": "save"})
    review = browser.get(f"{url}?ho_so={draft_id}&buoc=xem-lai").get_data(as_text=True)
    assert "Nộp hồ sơ" in review
    response = browser.post(url, data={"buoc": "xem-lai", "ho_so": draft_id, "action": "submit",
                                       "delivery_method": "online"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Bước 2/3: Cha và mẹ" in html
    assert "Trường này là bắt buộc." in field_block(html, "father-residence")
    with app.app_context():
        assert db.session.scalar(select(Dossier.code)) is None


# --- the address widget -------------------------------------------------------------

ADDRESSED = "9.000001.000.00.00.H26"


def addressed(app, birth_package) -> str:
    import copy

    from builder.forms.addresses import address_schema
    from builder.forms.package import import_package

    package = copy.deepcopy(birth_package)
    package["code"] = ADDRESSED
    schema = package["form"]["schema"]
    schema["properties"] = {"home": address_schema("Nơi cư trú"), **schema["properties"]}
    schema["required"] = ["home"]
    schema.pop("examples", None)
    schema.pop("allOf", None)
    for key in ("if", "then", "dependentRequired"):
        schema.pop(key, None)
    package["form"]["ui"] = {}
    package["components"] = []
    with app.app_context():
        import_package(db.session, package, published_by="tests")
        db.session.commit()
    return f"/dich-vu/{ADDRESSED}/nop-ho-so"


def test_an_address_is_chosen_province_first_and_round_trips(app, library, birth_package):
    from builder.forms.addresses import communes, provinces

    url = addressed(app, birth_package)
    browser = signed_in(app)
    html = browser.get(url).get_data(as_text=True)
    province = html[html.index('id="home-province"'):html.index("</select>", html.index('id="home-province"'))]
    assert province.count("<option") == 35 and "Thành phố Hà Nội" in province
    assert 'name="choose_province"' in html and "Chọn" in html
    assert "/dich-vu/don-vi-hanh-chinh.json" in html

    # without JavaScript: choose the province, press "Chọn": the communes follow, nothing is lost
    response = browser.post(url, data={"home-province": "01", "home-street": "Số 12 phố Đội Cấn",
                                       "choose_province": "home"})
    html = response.get_data(as_text=True)
    commune = html[html.index('id="home-commune"'):html.index("</select>", html.index('id="home-commune"'))]
    assert commune.count("<option") == len(communes("01")) + 1 and "Phường Hoàn Kiếm" in commune
    assert 'value="01" selected' in html and 'value="Số 12 phố Đội Cấn"' in html

    response = browser.post(url, data={"home-province": "01", "home-commune": "00070",
                                       "home-street": "Số 12 phố Đội Cấn", "action": "save"})
    assert response.status_code == 302
    with app.app_context():
        draft = db.session.scalar(select(Dossier))
        assert draft.data["home"] == {"province": "01", "commune": "00070", "street": "Số 12 phố Đội Cấn"}
    html = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="00070" selected' in html and 'value="01" selected' in html

    # a commune of another province: said on the commune, in Vietnamese
    other = next(code for code, _name in communes("79"))
    response = browser.post(url, data={"home-province": "01", "home-commune": other,
                                       "home-street": "Số 12 phố Đội Cấn", "action": "submit"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    block = field_block(html, "home-commune")
    assert "tỉnh" in block.lower() and 'id="home-commune-error"' in block
    assert len(provinces()) == 34


def test_the_administrative_units_are_served_as_json(app, client):
    response = client.get("/dich-vu/don-vi-hanh-chinh.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    units = response.get_json()
    assert len(units["provinces"]) == 34
    assert {"code": "00070", "name": "Phường Hoàn Kiếm"} in units["provinces"][0]["communes"]
