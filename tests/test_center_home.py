"""The center's home: its work in numbers (filings, unlock requests, campaign answers waiting for it),
each linking to the list it counts, and what failed out of sight (e-licence pushes, jobs) while it lasts."""
import re

from sqlalchemy import func, select

from app.extensions import db
from models import Job, UnlockRequest


def tile(html, element_id):
    return int(re.search(rf'id="{element_id}"[^>]*>(\d+)<', html).group(1))


def record_count(client, url):
    return int(re.search(r"记录数：</strong>\s*(\d+)", client.get(url).get_data(as_text=True)).group(1))


def test_each_number_is_the_length_of_the_list_it_links_to(demo, client_as, query):
    center = client_as("center")
    home = center.get("/").get_data(as_text=True)
    assert tile(home, "pending-count") == record_count(center, "/centerqueueview/list/")
    waiting = query(lambda s: s.scalar(select(func.count()).where(UnlockRequest.status == "pending")))
    assert tile(home, "unlock-count") == waiting == record_count(center, "/unlockrequests/list/")
    assert tile(home, "campaign-count") == record_count(center, "/centercampaigntargetview/list/?status=center_review")
    assert "/unlockrequests/list/" in home and "status=center_review" in home


def test_a_failed_job_is_said_on_the_home_page_until_it_is_dealt_with(demo, app, client_as):
    center = client_as("center")
    assert "个后台任务执行失败" not in center.get("/").get_data(as_text=True)
    with app.app_context():
        db.session.add(Job(kind="notify_sms", state="failed", attempts=5, failure="gateway"))
        db.session.commit()
        db.session.remove()
    home = center.get("/").get_data(as_text=True)
    assert "1个后台任务执行失败" in home and 'href="/jobs/list/"' in home
    assert "个后台任务执行失败" not in client_as("ent1").get("/").get_data(as_text=True)
