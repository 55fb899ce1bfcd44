"""`flask govnet sync`: every docked enterprise, in batches, resumable, with a summary; a rename
shows the new name on every page and keeps the old one (曾用名), searchable."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.govnet import directory
from app.validators import make_credit_code
from models import Application, DirectorySyncRun, Enterprise, EnterpriseNameHistory
from tests.govnet_helpers import DirectoryFile

OLD, NEW = "陕西秦川建设工程有限公司", "陕西秦川建设集团有限公司"


@pytest.fixture
def directory_file(app, tmp_path, monkeypatch):
    file = DirectoryFile(tmp_path)
    monkeypatch.setitem(app.config, "GOVNET_DIRECTORY_FILE", file.path)
    return file


def many_docked(app, directory_file, count):
    """count more enterprises in the directory, each docked; returns their credit codes."""
    codes = [make_credit_code(f"91610100MA6TC{i:04d}") for i in range(count)]
    data = directory_file.read()
    data["enterprises"] += [{"credit_code": code, "name": f"陕西测试{i:02d}建筑工程有限公司", "legal_representative": "测试",
                             "registered_address": f"西安市未央区凤城{i}路", "enterprise_type": "有限责任公司",
                             "status": "存续"} for i, code in enumerate(codes)]
    directory_file.write(data)
    with app.app_context():
        for code in codes:
            directory.dock(code, actor="测试")
        db.session.remove()
    return codes


def docked_count(query):
    return query(lambda s: s.scalar(select(func.count(Enterprise.id)).where(Enterprise.docked_at.is_not(None))))


def sync(app, *args):
    return app.test_cli_runner().invoke(args=["govnet", "sync", *args])


def test_sync_of_many_enterprises_reports_what_changed(demo, app, directory_file, query):
    codes = many_docked(app, directory_file, 23)
    directory_file.change(codes[0], name="陕西测试更名建筑工程有限公司")
    directory_file.change(codes[1], name="陕西测试又更名建筑工程有限公司", registered_address="西安市新城区")
    directory_file.change(codes[2], status="注销")
    directory_file.change(codes[3], registered_address="咸阳市秦都区")
    directory_file.change(codes[4], legal_representative="新法人")
    directory_file.remove(codes[5])
    total = docked_count(query)

    result = sync(app, "--batch-size", "7")
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"核对企业：{total} 家" in out
    assert "更名：2 家" in out and "注销或吊销：1 家" in out and "注册地址变更：2 家" in out
    assert "其他信息变更：1 家" in out and "企业库中未找到：1 家" in out
    assert f"无变化：{total - 6} 家" in out
    assert "陕西测试00建筑工程有限公司 → 陕西测试更名建筑工程有限公司" in out

    run = query(lambda s: s.scalars(select(DirectorySyncRun)).one())
    assert run.finished_at is not None and run.checked == total
    assert query(lambda s: s.scalar(select(Enterprise.govnet_status).where(Enterprise.credit_code == codes[2]))) == "注销"
    missing = query(lambda s: s.scalar(select(Enterprise).where(Enterprise.credit_code == codes[5])))
    assert missing.name == "陕西测试05建筑工程有限公司" and missing.govnet_status == "存续"  # not found: left as it was

    again = sync(app)
    assert again.exit_code == 0 and f"无变化：{total - 1} 家" in again.output


class FlakyDirectory(directory.FileDirectory):
    """The sample file, going down after a given number of batches; counts what it is asked."""

    def __init__(self, path, fail_at_batch=None):
        super().__init__(path)
        self.fail_at_batch, self.batches, self.asked = fail_at_batch, 0, []

    def lookup_many(self, codes):
        self.batches += 1
        if self.batches == self.fail_at_batch:
            raise directory.Unavailable("暂时无法连接政务服务网企业库")
        self.asked += codes
        return super().lookup_many(codes)


def test_an_interrupted_sync_continues_where_it_stopped(demo, app, directory_file, query, monkeypatch):
    codes = many_docked(app, directory_file, 17)
    directory_file.change(codes[-1], name="陕西最后一家建筑工程有限公司")
    total = docked_count(query)

    flaky = FlakyDirectory(directory_file.path, fail_at_batch=3)
    monkeypatch.setattr(directory, "from_config", lambda config=None: flaky)
    first = sync(app, "--batch-size", "5")
    assert first.exit_code != 0 and "同步中断" in first.output and "再次运行" in first.output
    run = query(lambda s: s.scalars(select(DirectorySyncRun)).one())
    assert run.finished_at is None and run.checked == 10  # two batches committed, the third rolled back

    rest = FlakyDirectory(directory_file.path)
    monkeypatch.setattr(directory, "from_config", lambda config=None: rest)
    second = sync(app, "--batch-size", "5")
    assert second.exit_code == 0, second.output
    assert "继续上次未完成的同步" in second.output and f"核对企业：{total} 家" in second.output
    assert len(rest.asked) == total - 10 and not set(rest.asked) & set(flaky.asked)  # nothing asked twice
    assert "更名：1 家" in second.output
    assert query(lambda s: s.scalar(select(func.count(DirectorySyncRun.id)))) == 1

    third = sync(app, "--batch-size", "5")  # a finished run is not resumed: a new one starts
    assert "继续上次" not in third.output
    assert query(lambda s: s.scalar(select(func.count(DirectorySyncRun.id)))) == 2


def test_restart_abandons_an_unfinished_run(demo, app, directory_file, query, monkeypatch):
    many_docked(app, directory_file, 6)
    flaky = FlakyDirectory(directory_file.path, fail_at_batch=2)
    monkeypatch.setattr(directory, "from_config", lambda config=None: flaky)
    assert sync(app, "--batch-size", "3").exit_code != 0
    monkeypatch.setattr(directory, "from_config", lambda config=None: FlakyDirectory(directory_file.path))
    result = sync(app, "--restart")
    assert result.exit_code == 0 and "继续上次" not in result.output
    assert f"核对企业：{docked_count(query)} 家" in result.output


def test_a_rename_shows_everywhere_and_the_old_name_stays_findable(demo, app, client_as, directory_file, query):
    """The issue's 'done when': dock a new enterprise, find it in the picker; rename a unit in the
    directory file, run the sync: the new name on every page, the old one in its history."""
    code = directory_file.record(OLD)["credit_code"]
    with app.app_context():
        newcomer = directory.dock("91610600MA6YB7821Y").id  # 延安宝塔…: its first legal-entity sign-in
        db.session.remove()
    app1 = client_as("app1")
    picked = app1.get("/units/search?q=延安宝塔").get_json()["results"]
    assert [(r["id"], r["text"]) for r in picked] == [(newcomer, "延安宝塔建筑安装工程有限公司（91610600MA6YB7821Y）")]

    directory_file.change(code, name=NEW)
    result = sync(app)
    assert result.exit_code == 0 and f"更名：{OLD} → {NEW}" in result.output
    unit = query(lambda s: s.scalar(select(Enterprise).where(Enterprise.credit_code == code)))
    assert unit.name == NEW
    history = query(lambda s: [(h.old_name, h.new_name, h.source) for h in s.scalars(  # the demo renamed ent2 too
        select(EnterpriseNameHistory).where(EnterpriseNameHistory.enterprise_id == unit.id))])
    assert history == [(OLD, NEW, "sync")]

    # the center's lists, by the old name too
    pending = query(lambda s: s.scalar(select(Application.id).where(Application.enterprise_id == unit.id,
                                                                    Application.status == "pending_enterprise")))
    center = client_as("center")
    for url in ("/centerenterpriseview/list/?q=秦川建设工程", f"/centerenterpriseview/show/{unit.id}",
                "/centerregistrationview/list/"):
        html = center.get(url).get_data(as_text=True)
        assert NEW in html, url
    assert OLD in center.get(f"/centerenterpriseview/show/{unit.id}").get_data(as_text=True)  # 曾用名
    found = center.get("/centerapplicationview/list/?q=秦川建设工程").get_data(as_text=True)
    assert NEW in found and OLD not in found

    # the unit's own pages, and its persons' pages
    ent1 = client_as("ent1")
    for url in ("/", f"/enterpriseinfoview/show/{unit.id}", f"/enterpriseapplicationview/show/{pending}"):
        html = ent1.get(url).get_data(as_text=True)
        assert NEW in html, url
    app2 = client_as("app2")
    html = app2.get(f"/applicantaddspecialtyview/show/{pending}").get_data(as_text=True)
    assert NEW in html and OLD not in html
    assert NEW in app2.get("/").get_data(as_text=True)

    # the picker finds it by the old name and says so
    answer = app1.get("/units/search?q=秦川建设工程").get_json()
    assert [r["text"] for r in answer["results"]] == [f"{NEW}（{code}）"]
    assert OLD in answer["results"][0]["note"]
