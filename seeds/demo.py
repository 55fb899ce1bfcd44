"""The demo: two docked enterprises, the center, and applicants with filings in every state.

Every filing reaches its state through workflow.transition(), as a user's clicks would, so the
demo's review records are real ones. All demo accounts share the password DEMO_PASSWORD.
"""
import io
import math
from datetime import date, datetime, timedelta

from flask import current_app
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app import (attachments, business_types, campaigns, commitments, credit, filings, procedure, roles, rules,
                 signatures, states, supervision, workflow)
from app.documents.fonts import cjk_font
from app.documents.render import render_pdf
from app.extensions import db
from app.govnet import directory
from app.i18n import chinese
from app.validators import make_credit_code, make_id_number
from models import Application, Enterprise, EnterpriseAccount, Person, Qualification, Specialty, StaffAccount
from seeds import reference

DEMO_PASSWORD = "Demo@2026"

ENTERPRISES = {
    # key: (name, credit code body, legal representative, address, docked)
    "ent1": ("陕西秦川建设工程有限公司", "91610100MA6TG1234", "赵建华", "西安市雁塔区科技路88号", True),
    "ent2": ("西安长安市政工程有限公司", "91610113MA6U05678", "钱立新", "西安市长安区航天大道16号", True),
    "ent3": ("宝鸡渭水水利水电有限公司", "91610300MA6X09012", "孙海波", "宝鸡市渭滨区经二路5号", False),
}

# the names the units bore when the demo's persons registered: ent2 was renamed on the government
# network since (to its ENTERPRISES name, as the directory reports it) and filed one 企业名称变更
FORMER_NAMES = {"ent2": "西安长安市政建设有限公司"}

# username: (family name, given name, sex, birth, region, unit, specialties held, phone)
APPLICANTS = {
    "app1": ("王", "建国", "男", date(1988, 3, 15), "610102", "ent1", ("JZ", "SZ"), "13800000001"),
    "app2": ("李", "秀英", "女", date(1985, 7, 2), "610103", "ent1", ("JZ", "JD"), "13800000002"),
    "app3": ("张", "伟", "男", date(1990, 11, 20), "610113", "ent2", ("SZ",), "13800000003"),
    "app4": ("刘", "洋", "男", date(1992, 1, 8), "610104", "ent1", ("GL",), "13800000004"),
    "app5": ("陈", "静", "女", date(1987, 5, 30), "610111", "ent2", ("SL",), "13800000005"),
    "app6": ("杨", "帆", "男", date(1983, 9, 12), "610112", "ent1", ("JZ",), "13800000006"),
    "app7": ("赵", "敏", "女", date(1980, 12, 1), "610114", "ent2", ("JD", "JZ"), "13800000007"),
    "app8": ("孙", "磊", "男", date(1986, 4, 18), "610115", "ent2", ("JZ",), "13800000008"),
}

STAFF = {
    # username: (role, family name, given name, enterprise key)
    "admin": (roles.ADMIN, "系统", "管理员", None),
    "secadmin": (roles.SECURITY, "安全", "管理员", None),  # 三员分立: roles and their grants
    "auditor": (roles.AUDITOR, "审计", "管理员", None),  # reads the security log
    "center": (roles.CENTER, "注册中心", "审核员", None),
    "ent1": (roles.ENTERPRISE, "秦川建设", "经办人", "ent1"),
    "ent2": (roles.ENTERPRISE, "长安市政", "经办人", "ent2"),
}
# The enterprise accounts' verified phones: their login SMS code goes there.
ENTERPRISE_PHONES = {"ent1": "13900000001", "ent2": "13900000002"}
# The staff accounts' phones: every account signs in with the SMS code, staff too.
STAFF_PHONES = {"admin": "13600000001", "secadmin": "13600000002", "auditor": "13600000003",
                "center": "13600000004"}

PROFILE = {"ethnicity": "汉族", "education": "本科", "major": "土木工程", "school": "西安建筑科技大学",
           "title": "工程师"}


class DemoRefused(RuntimeError):
    pass


def load(sm, today=None):
    """Load the demo once; a second call changes nothing. Refused in production."""
    if current_app.config["ENVIRONMENT"] == "production":
        raise DemoRefused("演示数据不能载入生产环境（APP_ENV=production）")
    reference.load(sm)
    if sm.find_user(username="admin") is not None:
        return False
    today = today or date.today()
    now = datetime.combine(today, datetime.min.time()).replace(hour=9)
    specialties = {s.code: s for s in db.session.scalars(select(Specialty))}

    units = {}
    for key, (name, body, legal, address, docked) in ENTERPRISES.items():
        units[key] = Enterprise(
            credit_code=make_credit_code(body), name=FORMER_NAMES.get(key, name), legal_representative=legal,
            registered_address=address, enterprise_type="有限责任公司", govnet_status="存续",
            docked_at=now - timedelta(days=400) if docked else None,
            synced_at=now - timedelta(days=1) if docked else None,
            contact_person="周经办", contact_phone="029-88886666", office_address=address,
            qualification_grade="建筑工程施工总承包二级",
        )
        db.session.add(units[key])
    db.session.flush()

    users = {}
    for username, (role, last, first, unit) in STAFF.items():
        users[username] = _user(sm, username, first, last, role)
        if unit:
            db.session.add(EnterpriseAccount(user_id=users[username].id, enterprise_id=units[unit].id,
                                             phone=ENTERPRISE_PHONES.get(username)))
        else:
            db.session.add(StaffAccount(user_id=users[username].id, phone=STAFF_PHONES.get(username)))

    people = {}
    for seq, (username, (last, first, sex, birth, region, unit, held, phone)) in enumerate(APPLICANTS.items()):
        users[username] = _user(sm, username, first, last, roles.APPLICANT)
        person = Person(
            user_id=users[username].id, name=last + first, sex=sex, birth_date=birth,
            id_number=make_id_number(region=region, birth=birth, seq=100 + seq * 7, sex=sex),
            phone=phone, email=f"{username}@example.cn", verified_at=now - timedelta(days=30), **PROFILE,
        )
        db.session.add(person)
        db.session.flush()
        for n, code in enumerate(held):
            db.session.add(Qualification(
                person=person, specialty=specialties[code], issue_date=today - timedelta(days=400 + 30 * n),
                certificate_number=f"0{21 + n}{region}{seq:02d}{n}{birth:%m%d}",
            ))
        people[username] = person
    db.session.commit()
    for person in people.values():
        image = sample_signature(person.name)
        if image is not None:
            signatures.save(person, FileStorage(stream=io.BytesIO(image), filename="signature.png"))
        signatures.save_photo(person, FileStorage(stream=io.BytesIO(sample_photo()), filename="photo.png"))

    def file(username, code, unit=None, picked=(), reason=None, commitment=False):
        person = people[username]
        application = Application()
        rules.prepare(application, person, code, today)
        if unit:
            application.enterprise = units[unit]
        if picked:
            application.specialties = [specialties[c] for c in picked]
        application.reason = reason
        application.accepted_on_commitment = commitment
        db.session.add(application)
        db.session.commit()
        attach_all(application)
        return application

    def attach_all(application):
        for kind in rules.required_attachments(application, today):
            upload = FileStorage(stream=io.BytesIO(sample_attachment(kind)), filename=f"{kind}.pdf")
            attachments.attach(application, kind, upload, application.person.user)

    def move(application, action, username, opinion="", now=None):
        workflow.transition(application, action, users[username], opinion=opinion, now=now)

    full = states.procedure() == "full"
    decided = []  # the full procedure's decisions, announced together
    # the full procedure's walks are dated a month back, so that their 公示 is over and they can be announced
    clock = {"at": None}

    def step(application, action, username, opinion=""):
        if clock["at"] is not None:
            clock["at"] += timedelta(hours=2)
        move(application, action, username, opinion, now=clock["at"])

    def center(application, action, opinion):
        """The center's steps to this outcome in the configured procedure (CENTER_PROCEDURE)."""
        if not full:
            return step(application, action, "center", opinion)
        step(application, "accept", "center")
        if action == "return":
            return step(application, "return", "center", opinion)
        step(application, "examine", "center")
        step(application, "grant" if action == "approve" else "deny", "center", opinion)
        decided.append(application)

    def walk(application, *steps):
        concluded = full and any(username == "center" and action != "return" for action, username, _ in steps)
        clock["at"] = datetime.now() - timedelta(days=30) if concluded else None
        step(application, "submit", application.person.user.username)
        for action, username, opinion in steps:
            if username == "center":
                center(application, action, opinion)
            else:
                step(application, action, username, opinion)
        clock["at"] = None

    announcements = []

    def announce():
        if decided:
            announcements.append(len(announcements) + 1)
            procedure.announce(decided, f"陕建公告〔{today.year}〕{announcements[-1]}号", "二级建造师注册审批结果公告",
                               users["center"])
            decided.clear()

    # app1: qualified, nothing filed: the person to walk through the demo with.
    # app2: registered (建筑工程), now adding 机电工程, awaiting the unit.
    a = file("app2", "initial", "ent1", ("JZ",))
    walk(a, ("approve", "ent1", ""), ("approve", "center", "材料齐全，准予注册。"))
    announce()  # (full procedure) the registration takes effect before the added specialty is filed
    walk(file("app2", "add_specialty", picked=("JD",)))
    # app3: initial, approved by the unit, in the center's queue. Hired by 长安 this month, not yet in
    # the social insurance data: filed on a labour contract and a signed commitment (告知承诺), flagged.
    walk(file("app3", "initial", "ent2", ("SZ",), commitment=True), ("approve", "ent2", "同意报送。"))
    # app4: initial, returned by the unit.
    walk(file("app4", "initial", "ent1", ("GL",)),
         ("return", "ent1", "劳动合同未盖单位公章，请重新上传。"))
    # app5: initial, returned by the center.
    walk(file("app5", "initial", "ent2", ("SL",)), ("approve", "ent2", ""),
         ("return", "center", "学历证书扫描件不清晰，请补正。"))
    # app6: refused once, now preparing a re-registration (draft).
    walk(file("app6", "initial", "ent1", ("JZ",)), ("approve", "ent1", ""),
         ("refuse", "center", "经核查，申请人同时在两个单位申请注册，不予注册。"))
    announce()
    file("app6", "reregister", "ent1", ("JZ",))
    # app7: registered, expiring in 60 days: inside the renewal window. Each specialty has its own
    # validity: 建筑工程 runs 60 days more, 机电工程 45 (both renewable now, each reminded on its own).
    b = file("app7", "initial", "ent2", ("JD", "JZ"))
    walk(b, ("approve", "ent2", ""), ("approve", "center", ""))
    announce()
    registration = b.registration
    registration.set_validity(today + timedelta(days=60), today + timedelta(days=60) - timedelta(days=3 * 365))
    electrical = next(s for s in registration.specialties if s.code == "JD")
    registration.set_specialty_term(electrical, today + timedelta(days=45) - timedelta(days=3 * 365),
                                    today + timedelta(days=45))
    db.session.commit()
    # app7's credit records (信用记录): a 不良行为记录, and a 行政处罚 whose bar on registration has run out
    # (one in force would keep app7 from renewing; the center can add one to try the bar)
    seven = people["app7"]
    for kind, number, decided_on, until, facts in (
            ("bad_conduct", f"陕建不良〔{today.year}〕7号", today - timedelta(days=40), today + timedelta(days=325),
             "施工现场项目负责人未按规定到岗履职"),
            ("penalty", f"西建罚〔{today.year - 2}〕15号", today - timedelta(days=700), today - timedelta(days=335),
             "未办理变更注册而继续执业")):
        credit.add({"name": seven.name, "id_number": seven.id_number, "kind": kind, "authority": "西安市住房和城乡建设局",
                    "decision_number": number, "decided_on": decided_on, "period_from": decided_on,
                    "period_until": until, "facts": facts}, users["center"], "page", today)
    # app8: registered late after the exam on a signed commitment letter instead of the continuing-education
    # proof; the center's 告知承诺核查 drew the filing (check pending), and has locked the registration for a
    # project under construction; app8 asked to unlock (解锁申请 waiting)
    people["app8"].qualifications[0].issue_date = today - timedelta(days=4 * 365)
    db.session.commit()
    c = file("app8", "initial", "ent2", ("JZ",))
    letter = FileStorage(stream=io.BytesIO(sample_attachment("continuing_education")), filename="commitment.pdf")
    attachments.attach(c, "continuing_education", letter, people["app8"].user, commitment=True)
    walk(c, ("approve", "ent2", ""), ("approve", "center", "以告知承诺书代替继续教育证明，准予注册，列入核查。"))
    announce()
    commitments.draw(current_app.config["COMMITMENT_CHECK_SHARE"], users["center"])
    supervision.lock(c.registration, reason="在施项目“西咸新区沣东学校工程”尚未竣工验收", source="project",
                     until=today + timedelta(days=90), by=users["center"])
    supervision.file_request(c.registration, people["app8"], "该项目已于上月完成竣工验收，申请解锁。")
    # an open 专项整治 with app7 flagged (unit ent2): app7 answers under 个人业务 → 专项整治
    campaign = campaigns.create(f"{today.year}年注册建造师挂证专项整治", "核查注册单位与社保缴纳单位不一致的人员。"
                                "请本人提交劳动合同和社保缴纳证明，或办理注销。", answer_days=15, user=users["center"],
                                today=today)
    campaigns.flag_rows(campaign, [["身份证号", "姓名", "问题描述"],
                                   [seven.id_number, seven.name, "社保缴纳单位与注册单位不一致，疑似挂证"]],
                        users["center"], today)
    # ent2's rename: synced from the directory (the old name kept as 曾用名), then one 企业名称变更 filed
    # by the unit for app7 and app8 (locked, still in force), approved: both certificates print the new
    # name, and each holder is told (in-app and SMS)
    ent2 = units["ent2"]
    name, _, legal, address, _ = ENTERPRISES["ent2"]
    directory.sync_enterprise(ent2, record=directory.Record(ent2.credit_code, name, legal, address, "有限责任公司"))
    rename = filings.start_unit_filing("enterprise_rename", users["ent2"])
    for kind in rules.required_attachments(rename, today):
        attachments.attach(rename, kind, FileStorage(stream=io.BytesIO(sample_attachment(kind)),
                                                     filename=f"{kind}.pdf"), users["ent2"])
    clock["at"] = datetime.now() - timedelta(days=30) if full else None
    step(rename, "submit", "ent2")
    center(rename, "approve", "企业名称变更材料齐全，准予变更。")
    clock["at"] = None
    announce()
    return True


_SAMPLES = {}


def sample_signature(name):
    """A signature image for a demo person: the name set in the CJK font, or a pen stroke of its own
    on a machine without one (the certificate is refused to a holder without a signature)."""
    image = Image.new("RGB", (360, 120), "white")
    draw = ImageDraw.Draw(image)
    font = cjk_font()
    if font.path:
        draw.text((20, 24), name, fill=(20, 20, 60), font=ImageFont.truetype(font.path, 64))
    else:
        turn = sum(map(ord, name)) % 7  # each name its own stroke
        draw.line([(20 + 4 * x, 60 + round(28 * math.sin((x + turn) / (4 + turn / 3)))) for x in range(80)],
                  fill=(20, 20, 60), width=5, joint="curve")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def sample_photo():
    """A placeholder for an ID photo: a grey silhouette on the blue of ID photos, marked 示例照片
    (a placeholder, never a face); the same for every demo person."""
    if "photo" not in _SAMPLES:
        width, height = signatures.PHOTO_SIZE
        image = Image.new("RGB", (width, height), (214, 228, 242))
        draw = ImageDraw.Draw(image)
        grey = (150, 160, 172)
        draw.ellipse((width * 0.31, height * 0.17, width * 0.69, height * 0.50), fill=grey)  # head
        draw.ellipse((width * 0.10, height * 0.55, width * 0.90, height * 1.25), fill=grey)  # shoulders
        font = cjk_font()
        if font.path:
            draw.text((width / 2, height * 0.09), "示例照片", fill=(110, 120, 135), anchor="mm",
                      font=ImageFont.truetype(font.path, 34))
        out = io.BytesIO()
        image.save(out, format="PNG")
        _SAMPLES["photo"] = out.getvalue()
    return _SAMPLES["photo"]


def sample_attachment(kind):
    """A PDF that says plainly it is demo material, one per attachment kind (rendered once)."""
    if kind not in _SAMPLES:
        _SAMPLES[kind] = render_pdf("documents/demo_attachment.html", label=chinese(business_types.ATTACHMENT_KINDS[kind]))
    return _SAMPLES[kind]


def _user(sm, username, first, last, role_name):
    user = sm.add_user(username, first, last, f"{username}@demo.example.cn", sm.find_role(role_name),
                       password=DEMO_PASSWORD)
    if not user:
        raise RuntimeError(f"could not create demo user {username}")
    return user
