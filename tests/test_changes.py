"""The filer of a returned filing sees first who returned it, when and why, and what they changed
since; the reviewer of the resubmitted filing sees exactly what changed since they returned it."""
import io

from sqlalchemy import select

from models import Application
from tests.conftest import csrf_token
from tests.helpers import move


def test_reviewer_sees_fields_and_attachments_changed_since_the_return(demo, client_as, query):
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.status == "returned_by_enterprise")))
    app4 = client_as("app4")
    page = app4.get(f"/applicantinitialview/show/{pk}").get_data(as_text=True)
    assert 'id="changes"' not in page  # the reviewers' panel
    returned = page.split('id="returned"')[1].split("</section>")[0]
    assert page.index('id="returned"') < page.index("submit-check") < page.index("申请事项")  # first
    assert "聘用单位已于" in returned and "退回本申请" in returned and "劳动合同未盖单位公章" in returned
    assert "退回后您尚未修改任何内容" in returned
    assert "可以提交" not in page  # no invitation to resubmit as it was
    edit = app4.get(f"/applicantinitialview/edit/{pk}")
    data = {"csrf_token": csrf_token(edit), "ethnicity": "汉族", "education": "硕士研究生", "major": "土木工程",
            "school": "西安建筑科技大学", "title": "工程师", "email": "app4@example.cn",
            "enterprise": query(lambda s: s.get(Application, pk).enterprise_id),
            "specialties": query(lambda s: [x.id for x in s.get(Application, pk).specialties])}
    assert app4.post(f"/applicantinitialview/edit/{pk}", data=data).status_code == 302
    upload = app4.post(f"/applicantinitialview/{pk}/attachments/labour_contract",
                       data={"csrf_token": csrf_token(edit), "file": (io.BytesIO(b"%PDF-1.4 new"), "盖章劳动合同.pdf")},
                       content_type="multipart/form-data")
    assert upload.status_code == 302
    page = app4.get(f"/applicantinitialview/show/{pk}").get_data(as_text=True)
    returned = page.split('id="returned"')[1].split("</section>")[0]
    assert "退回后您已修改" in returned and "硕士研究生" in returned and "盖章劳动合同.pdf" in returned
    assert "尚未修改" not in returned
    assert move(app4, "applicantinitialview", pk, "submit").status_code == 302

    page = client_as("ent1").get(f"/enterprisependingview/show/{pk}").get_data(as_text=True)
    panel = page.split('id="changes"')[1].split("</table>")[0]
    assert "学历" in panel and "本科" in panel and "硕士研究生" in panel
    assert "劳动合同" in panel and "盖章劳动合同.pdf" in panel and "已替换" in panel
    assert "毕业院校" not in panel  # unchanged fields are not listed
    assert "劳动合同未盖单位公章" in page.split('id="changes"')[1]  # the opinion it answers


def test_no_change_panel_for_a_first_submission(demo, client_as, query):
    pk = query(lambda s: s.scalar(select(Application.id).where(Application.status == "pending_center")))
    page = client_as("center").get(f"/centerqueueview/show/{pk}").get_data(as_text=True)
    assert 'id="changes"' not in page
