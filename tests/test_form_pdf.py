"""下载申请表 through the pages: the filing's own data, for those entitled to the filing only."""
import io

from pypdf import PdfReader
from sqlalchemy import select

from models import Application


def test_applicant_downloads_the_form_of_their_filing(demo, client_as, query):
    pk, name, id_number = query(lambda s: next((a.id, a.name, a.id_number) for a in s.scalars(
        select(Application).where(Application.status == "returned_by_enterprise"))))
    answer = client_as("app4").get(f"/applicantinitialview/{pk}/form.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert "filename*=UTF-8''%E7%94%B3%E8%AF%B7%E8%A1%A8" in answer.headers["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.data)).pages)
    assert name in text and id_number in text and "初始注册申请表" in text
    assert "劳动合同未盖单位公章" in text  # the unit's opinion fills its box


def test_reviewers_download_it_too_but_no_one_else(demo, client_as, query):
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.status == "pending_center")))
    assert client_as("center").get(f"/centerqueueview/{pk}/form.pdf").status_code == 200
    assert client_as("ent2").get(f"/enterpriseapplicationview/{pk}/form.pdf").status_code == 200
    assert client_as("ent1").get(f"/enterpriseapplicationview/{pk}/form.pdf").status_code == 404
    assert client_as("app1").get(f"/applicantinitialview/{pk}/form.pdf").status_code == 404
