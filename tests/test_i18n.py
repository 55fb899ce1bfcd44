"""The UI language: Chinese by default, English after /lang/en, from app/translations/en.

The project's msgids are its Chinese source text; the English catalogue gives every one of them an
English msgstr with the same %(name)s placeholders. Pages are checked against the catalogue's own
msgstr values, so rewording a translation does not break these tests.
"""
import os
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from markupsafe import escape

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
TRANSLATIONS = os.path.join(ROOT, "app", "translations")
PO = os.path.join(TRANSLATIONS, "en", "LC_MESSAGES", "messages.po")
MO = os.path.join(TRANSLATIONS, "en", "LC_MESSAGES", "messages.mo")
KEYWORDS = ("_l", "lazy_gettext", "gettext", "_")  # as in `make translations`
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def read_catalog(path=PO):
    with open(path, "rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def en():
    """msgid -> English msgstr, from the committed catalogue."""
    return {message.id: message.string for message in read_catalog() if message.id}


def html(text):
    """The text as Jinja's autoescape writes it into a page."""
    return str(escape(text))


def english(client):
    answer = client.get("/lang/en")
    assert answer.status_code == 302, answer.status_code
    return client


# --- pages ----------------------------------------------------------------------------------------

def test_home_page_is_chinese_by_default(demo, client_as, en):
    page = client_as("app2").get("/").get_data(as_text=True)
    assert "个人版" in page
    assert html("个人业务") in page  # the menu category
    assert html("申请编号") in page  # the recent applications table
    assert html(en["个人版"]) not in page
    assert html(en["个人业务"]) not in page


def test_home_page_in_english_after_choosing_it(demo, client_as, en):
    client = client_as("app2")
    assert "个人版" in client.get("/").get_data(as_text=True)
    page = english(client).get("/").get_data(as_text=True)
    for msgid in ("个人版", "个人业务", "我的注册", "办理中的申请", "申请编号", "增项注册", "待企业审核"):
        assert en[msgid] != msgid
        assert html(en[msgid]) in page, msgid
    assert "个人版" not in page
    assert "个人业务" not in page
    # and back to Chinese
    client.get("/lang/zh")
    page = client.get("/").get_data(as_text=True)
    assert "个人版" in page and html(en["个人版"]) not in page


def test_enterprise_pending_list_in_english(demo, client_as, en):
    client = english(client_as("ent1"))
    answer = client.get("/enterprisependingview/list/")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    # column labels, the list title, the menu category, the list actions
    for msgid in ("申请编号", "姓名", "身份证号", "业务类型", "聘用单位", "状态", "提交时间",
                  "待办业务", "企业业务", "通过", "不通过"):
        assert html(en[msgid]) in page, msgid
    for msgid in ("申请编号", "业务类型", "提交时间", "待办业务", "企业业务"):
        assert msgid not in page, msgid
    # the row's business type and status go through lazy labels too
    assert html(en["增项注册"]) in page
    assert html(en["待企业审核"]) in page


def test_english_flash_with_placeholders(demo, client_as, en):
    """A message formatted with %(name)s values comes out in English with the values filled in."""
    from tests.helpers import flashes

    client = english(client_as("app2"))
    answer = client.get("/applicantinitialview/add")
    assert answer.status_code == 302
    messages = [str(m) for m in flashes(client)]
    expected = en["您已有一件未办结的申请（%(number)s，%(type)s），办结或撤回后才能新增"]
    start = expected.split("%(")[0]
    assert any(m.startswith(start) and en["增项注册"] in m for m in messages), messages


# --- the catalogue --------------------------------------------------------------------------------

def test_every_message_has_an_english_translation_with_the_same_placeholders():
    catalog = read_catalog()
    messages = [m for m in catalog if m.id]
    assert messages, "the English catalogue is empty"
    problems = []
    for message in messages:
        assert isinstance(message.id, str), f"plural message not expected: {message.id!r}"
        if not (message.string or "").strip():
            problems.append(f"untranslated: {message.id}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {message.id}")
        elif sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string)):
            problems.append(f"placeholders differ: {message.id} -> {message.string}")
        elif "%" in PLACEHOLDER.sub("", message.string):
            # Jinja's newstyle gettext always applies `%`: a bare % would break the page
            problems.append(f"bare % in: {message.string}")
    assert not problems, "\n".join(problems)


def test_every_extracted_msgid_is_in_the_catalogue():
    """A new _l()/_() string must be added with `make translations` and given its English."""
    with open(os.path.join(ROOT, "babel.cfg")) as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = extract_from_dir(ROOT, method_map, options_map, keywords=dict.fromkeys(KEYWORDS))
    extracted = {msgid for _, _, msgid, _, _ in found if isinstance(msgid, str)}
    assert extracted, "nothing extracted: check babel.cfg"
    assert "个人版" in extracted
    missing = sorted(extracted - {m.id for m in read_catalog() if m.id})
    assert not missing, "run `make translations` and translate:\n" + "\n".join(missing)


def test_compiled_catalogue_matches_the_po():
    with open(MO, "rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    source = {m.id: m.string for m in read_catalog() if m.id and not m.fuzzy}
    assert compiled == source, "run `make translations` to recompile messages.mo"


def test_no_chinese_catalogue_to_shadow_fabs():
    """The Chinese msgids need no zh catalogue; one would hide FAB's own zh translations."""
    assert sorted(os.listdir(TRANSLATIONS)) == ["en", "messages.pot"]
