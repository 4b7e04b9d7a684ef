"""The postal address in the citizen's online form: shown where the service
sends results by post, prefilled with the applicant's name and phone, the
communes following the province without JavaScript, errors at their inputs,
kept with the draft across the steps and shown on the review page."""
from __future__ import annotations

import copy
import io
import re
from html import unescape

import pytest
from sqlalchemy import select

from builder.extensions import db
from builder.forms.addresses import communes
from builder.models import Dossier
from tests.helpers import BIRTH_CODE, MINIMAL_PDF, example_data
from tests.test_portal import birth_form, field_block, page_of, signed_in

POSTED = "1.001193.000.00.00.H26.BUUCHINH"
APPLY = f"/dich-vu/{POSTED}/nop-ho-so"
STEPPED = "1.001193.000.00.00.H26.BUUCHINH.B"
STEPS = f"/dich-vu/{STEPPED}/nop-ho-so"
ADDRESS = {"province": "01", "commune": "00025", "street": "Số 12 phố Đội Cấn",
           "name": "Nguyễn Văn Hùng", "phone": "0912345678"}  # the name and phone of the account
HCMC_COMMUNE = communes("79")[0][0]


def posted_address(**changes) -> dict:
    """The address as the form's inputs send it."""
    return {f"delivery-address-{k}": v for k, v in {**ADDRESS, **changes}.items()}


@pytest.fixture
def posted(app, library, birth_package) -> dict:
    """The birth registration, also taking paper dossiers by post, in one
    page (POSTED) and in three (STEPPED)."""
    from builder.forms.package import import_package

    one = copy.deepcopy(birth_package)
    one.update(code=POSTED, delivery={"dossier_by_post": True})
    steps = copy.deepcopy(one)
    steps["code"] = STEPPED
    steps["form"].setdefault("ui", {})["pages"] = [
        {"title": "Người yêu cầu và trẻ", "fields": ["requester", "child"]},
        {"title": "Cha và mẹ", "fields": ["mother", "father_known", "father"]},
        {"title": "Bản sao", "fields": ["copies"]},
    ]
    with app.app_context():
        import_package(db.session, one, published_by="tests")
        import_package(db.session, steps, published_by="tests")
        db.session.commit()
    return one


def submission(package, **changes) -> dict:
    form = birth_form(package, **{"delivery_method": "post", "action": "submit", **changes})
    form["component-birth_certificate"] = (io.BytesIO(MINIMAL_PDF), "giay-chung-sinh.pdf")
    return form


def the_dossier(app) -> Dossier:
    with app.app_context():
        dossier = db.session.scalar(select(Dossier))
        db.session.expunge(dossier)
        return dossier


def fieldset(html: str) -> str:
    start = html.index('<fieldset id="delivery-address"')
    return html[start:html.index("</fieldset>", start)]


def test_the_postal_address_inputs_are_there_prefilled_from_the_account(app, posted):
    browser = signed_in(app)
    html = browser.get(APPLY).get_data(as_text=True)
    box = fieldset(html)
    assert "Địa chỉ nhận bưu gửi" in box
    assert "Chỉ dùng khi nhận qua bưu chính" in box  # without JavaScript it always shows, and says what for
    # with JavaScript it shows while "post" is chosen or the paper dossier goes by post
    assert unescape(re.search(r"data-show-if='([^']+)'", box).group(1)) == \
        '[["delivery_method", "post"], ["delivery-dossier_by_post", "true"]]'
    assert 'data-units="/dich-vu/don-vi-hanh-chinh.json"' in box and "address-vn" in box
    province = box[box.index('id="delivery-address-province"'):]
    assert province[:province.index("</select>")].count("<option") == 35
    assert 'name="choose_province" value="delivery-address"' in box
    assert "Chọn tỉnh/thành phố trước" in field_block(html, "delivery-address-commune")
    assert 'value="Nguyễn Văn Hùng"' in field_block(html, "delivery-address-name")
    assert 'value="0912345678"' in field_block(html, "delivery-address-phone")
    assert 'name="delivery-dossier_by_post"' in html and "Gửi hồ sơ giấy qua bưu chính" in html

    # a service that takes no paper dossier by post does not offer it
    plain = browser.get(f"/dich-vu/{BIRTH_CODE}/nop-ho-so").get_data(as_text=True)
    assert 'name="delivery-dossier_by_post"' not in plain
    assert unescape(re.search(r"data-show-if='([^']+)'", fieldset(plain)).group(1)) == \
        '[["delivery_method", "post"]]'


def test_a_citizen_chooses_post_and_the_address_is_saved_on_the_dossier(app, posted):
    browser = signed_in(app)
    form = submission(posted, **posted_address(phone="0987 654 321"))
    response = browser.post(APPLY, data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    dossier = the_dossier(app)
    assert dossier.code and dossier.data == example_data(posted)
    assert dossier.delivery == {"method": "post", "address": {**ADDRESS, "phone": "0987 654 321"}}


def test_the_communes_follow_the_province_without_javascript(app, posted):
    browser = signed_in(app)
    response = browser.post(APPLY, data={**birth_form(posted, delivery_method="post"),
                                         "delivery-address-province": "79",
                                         "delivery-address-street": "Số 5 đường Lê Lợi",
                                         "choose_province": "delivery-address"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    commune = field_block(html, "delivery-address-commune")
    assert commune.count("<option") == len(communes("79")) + 1 and "Phường Thủ Dầu Một" in commune
    assert "Phường Giảng Võ" not in commune
    assert 'value="79" selected' in field_block(html, "delivery-address-province")
    assert 'value="Số 5 đường Lê Lợi"' in field_block(html, "delivery-address-street")
    assert 'value="Trần Thị Thu Hương"' in html  # the form's own fields are kept too
    with app.app_context():
        assert db.session.scalar(select(Dossier)) is None  # choosing saves nothing


def test_address_errors_are_shown_at_their_inputs_and_nothing_is_submitted(app, posted):
    browser = signed_in(app)
    form = submission(posted, **posted_address(commune=HCMC_COMMUNE, street=""))
    response = browser.post(APPLY, data=form, content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    commune = field_block(html, "delivery-address-commune")
    assert "Xã/phường không thuộc tỉnh/thành phố đã chọn." in commune
    assert 'id="delivery-address-commune-error"' in commune and 'aria-invalid="true"' in commune
    street = field_block(html, "delivery-address-street")
    assert "từ 2 đến 200 ký tự" in street and 'id="delivery-address-street-error"' in street
    assert 'href="#delivery-address-commune"' in html and 'href="#delivery-address-street"' in html
    assert "data-show-if" not in fieldset(html)  # an address with errors always shows
    # what was typed stays; the draft keeps the data and the file, not the wrong address
    assert 'value="01" selected' in field_block(html, "delivery-address-province")
    dossier = the_dossier(app)
    assert dossier.code is None and dossier.data == example_data(posted)
    assert dossier.delivery == {"method": "post"}
    assert "Đã đính kèm: giay-chung-sinh.pdf" in html

    # corrected, with the draft: submitted
    form = submission(posted, ho_so=str(dossier.id), **posted_address())
    del form["component-birth_certificate"]
    response = browser.post(APPLY, data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    dossier = the_dossier(app)
    assert dossier.code and dossier.delivery == {"method": "post", "address": ADDRESS}


def test_post_without_an_address_is_asked_for_it(app, posted):
    browser = signed_in(app)
    empty = {f"delivery-address-{k}": "" for k in ("province", "commune", "street")}
    response = browser.post(APPLY, data=submission(posted, **empty), content_type="multipart/form-data")
    assert response.status_code == 422
    box = fieldset(response.get_data(as_text=True))
    assert 'id="delivery-address-error"' in box and "Hãy nhập địa chỉ nhận bưu gửi." in box
    # only a province: the commune is asked for
    response = browser.post(APPLY, data=submission(posted, **{**empty, "delivery-address-province": "01",
                                                              "delivery-address-street": "Số 1 Tràng Tiền"}),
                            content_type="multipart/form-data")
    assert "Hãy chọn xã/phường/đặc khu." in field_block(response.get_data(as_text=True),
                                                        "delivery-address-commune")
    assert the_dossier(app).code is None


def test_an_address_is_only_kept_when_something_goes_by_post(app, posted):
    browser = signed_in(app)
    form = submission(posted, delivery_method="online", **posted_address())
    assert browser.post(APPLY, data=form, content_type="multipart/form-data").status_code == 302
    assert the_dossier(app).delivery == {"method": "online"}


def test_the_paper_dossier_by_post_is_saved_with_its_address(app, posted, birth_package):
    browser = signed_in(app)
    form = birth_form(posted, delivery_method="desk", action="save",
                      **{"delivery-dossier_by_post": "true"}, **posted_address(name="", phone=""))
    response = browser.post(APPLY, data=form, content_type="multipart/form-data")
    assert response.status_code == 302
    draft = the_dossier(app)
    assert draft.delivery == {"method": "desk", "dossier_by_post": True,
                              "address": {k: ADDRESS[k] for k in ("province", "commune", "street")}}
    html = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'id="delivery-dossier_by_post"[^>]*checked', html)
    assert 'value="00025" selected' in field_block(html, "delivery-address-commune")
    assert 'value=""' in field_block(html, "delivery-address-name")  # emptied, not prefilled again

    # where the service does not allow it, the box is not there and a forged one is not taken
    other = signed_in(app, "001190012346")
    url = f"/dich-vu/{BIRTH_CODE}/nop-ho-so"
    form = birth_form(birth_package, delivery_method="desk", action="save",
                      **{"delivery-dossier_by_post": "true"}, **posted_address())
    assert other.post(url, data=form, content_type="multipart/form-data").status_code == 302
    with app.app_context():
        forged = db.session.scalar(select(Dossier).where(Dossier.id != draft.id))
        assert forged.delivery == {"method": "desk"}


def test_in_steps_the_address_is_chosen_on_the_review_kept_across_steps_and_shown(app, posted):
    browser = signed_in(app)
    typed = birth_form(posted)
    response = browser.post(STEPS, data={**page_of(typed, "requester", "child"), "buoc": "1", "action": "next"})
    draft_id = re.search(r"ho_so=(\d+)", response.headers["Location"]).group(1)
    browser.post(STEPS, data={**page_of(typed, "mother", "father_known", "father"), "buoc": "2",
                              "ho_so": draft_id, "action": "next"})
    response = browser.post(STEPS, data={"copies": "2", "buoc": "3", "ho_so": draft_id, "action": "next"})
    assert "buoc=xem-lai" in response.headers["Location"]
    review = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="delivery-address-province"' in review and 'value="Nguyễn Văn Hùng"' in review
    assert "/dich-vu/don-vi-hanh-chinh.json" in review  # the same script as the address fields

    on_review = {"buoc": "xem-lai", "ho_so": draft_id, "delivery_method": "post"}
    # a commune of another province: said at the commune, on the review page
    response = browser.post(STEPS, data={**on_review, **posted_address(commune=HCMC_COMMUNE), "action": "save"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Xem lại và nộp" in html and 'id="delivery-address-commune-error"' in html
    # without JavaScript, "Choose" on the review page lists the province's communes
    response = browser.post(STEPS, data={**on_review, **posted_address(province="79", commune=""),
                                         "choose_province": "delivery-address"})
    assert "Phường Thủ Dầu Một" in field_block(response.get_data(as_text=True), "delivery-address-commune")

    response = browser.post(STEPS, data={**on_review, **posted_address(), "action": "save"})
    assert response.status_code == 302
    assert the_dossier(app).delivery == {"method": "post", "address": ADDRESS}

    # back through the steps: every step saves its page, the delivery stays
    browser.post(STEPS, data={**page_of(typed, "requester", "child"), "buoc": "1", "ho_so": draft_id,
                              "action": "next"})
    browser.post(STEPS, data={"copies": "3", "buoc": "3", "ho_so": draft_id, "action": "next"})
    draft = the_dossier(app)
    assert draft.data["copies"] == 3 and draft.delivery == {"method": "post", "address": ADDRESS}

    review = browser.get(f"{STEPS}?ho_so={draft_id}&buoc=xem-lai").get_data(as_text=True)
    start = review.index('id="review-delivery"')
    shown = review[start:review.index("</section>", start)]
    assert "Qua dịch vụ bưu chính" in shown
    assert "Số 12 phố Đội Cấn, Phường Giảng Võ, Thành phố Hà Nội" in shown
    assert "Nguyễn Văn Hùng, 0912345678" in shown
    assert 'value="00025" selected' in field_block(review, "delivery-address-commune")

    form = {**on_review, **posted_address(), "action": "submit",
            "component-birth_certificate": (io.BytesIO(MINIMAL_PDF), "giay-chung-sinh.pdf")}
    response = browser.post(STEPS, data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    dossier = the_dossier(app)
    assert dossier.code and dossier.delivery == {"method": "post", "address": ADDRESS}
