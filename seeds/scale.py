"""Bulk data for a province: persons, docked enterprises, years of filings with their review
records, registrations. For benchmarks and for trying the lists at their real size.

Rows are written with SQLAlchemy Core, never through the ORM or the workflow: the status guard
on Application (models/applications.py) watches ORM attribute sets, and a million applications
through transition() would take hours. What the workflow would have written is reproduced here
instead, one filing at a time: every history is a legal walk through states.moves() with a review
record per move, and an approval has the effect app/effects.py gives it (a new registration, a
renewal, a change of unit, an added specialty, a cancellation). On PostgreSQL the rows go in with
COPY (psycopg2 copy_expert), elsewhere with executemany in batches.

It adds to what is there: ids continue after the largest one in each table, and the unique
values (credit codes, ID numbers, phones, certificate numbers) are derived from those new ids and
checked against the existing ones, so the demo (or an earlier run) stays as it was.
"""
import csv
import io
import random
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role
from sqlalchemy import func, select, text

from app import access, roles, states
from app.dates import add_years
from app.extensions import db
from app.validators import make_credit_code, make_id_number
from models import (
    Application, Enterprise, EnterpriseAccount, Person, Qualification, Registration, Review, Specialty,
    application_specialty, registration_specialty,
)

# --- what people, units and filings look like -------------------------------------------------
SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌辉鹏宇浩凯晨阳博海峰亮飞波"
         "鑫俊帅新宁康龙江力林瑞成东亚雪梅兰琴玉萍")
REGIONS = ("610102", "610103", "610104", "610111", "610112", "610113", "610114", "610115", "610116",
           "610202", "610302", "610402", "610502", "610602", "610702", "610802", "610902", "611002")
CITIES = ("西安", "铜川", "宝鸡", "咸阳", "渭南", "延安", "汉中", "榆林", "安康", "商洛")
BRANDS = ("秦川", "长安", "华山", "渭河", "汉江", "延河", "终南", "骊山", "泾阳", "丰庆", "鼎盛", "宏远",
          "恒泰", "中兴", "建安", "永固", "广厦", "天成", "瑞丰", "金石", "盛世", "安泰", "博远", "同创")
TRADES = ("建设工程", "建筑工程", "市政工程", "路桥工程", "水利水电工程", "机电安装工程", "矿山工程", "城建工程")
ETHNICITIES = ("汉族",) * 47 + ("回族", "满族", "蒙古族")
EDUCATIONS = ("本科",) * 5 + ("大专",) * 4 + ("硕士研究生",)
MAJORS = ("土木工程", "工程管理", "道路桥梁工程", "给排水科学与工程", "水利水电工程", "机电一体化", "建筑学", "测绘工程")
SCHOOLS = ("西安建筑科技大学", "长安大学", "西安理工大学", "西安科技大学", "陕西铁路工程职业技术学院",
           "杨凌职业技术学院", "西北农林科技大学", "西安交通大学")
TITLES = ("助理工程师", "工程师", "工程师", "高级工程师")
RETURN_BY_UNIT = ("劳动合同未盖单位公章，请重新上传。", "身份证扫描件不清晰，请补正。", "申请表签字页缺失。")
RETURN_BY_CENTER = ("学历证书扫描件不清晰，请补正。", "继续教育证明不全，请补充。", "社保缴纳单位与聘用单位不一致，请说明。")
RELEASE_REFUSALS = ("与本单位的劳动合同尚未解除，不同意解聘。", "尚有在建项目未办理项目负责人变更，暂不同意。")
REFUSALS = ("经核查，申请人同时在两个单位申请注册，不予注册。", "继续教育学时不足，不予注册。",
            "聘用单位资质不符合要求，不予注册。")

REASONS = {"cancel": "本人申请注销注册。", "cancel_specialty": "不再从事该专业工作，申请注销该专业。",
           "lost_certificate": "证书打印件遗失，已登报声明作废。", "change_personal": "职称晋升，变更职称信息。"}

# Where a person's latest filing stands when it is still open (the rest are decided).
OPEN_SHARE = 0.12
OPEN_STATES = (("draft", 2), ("pending_release", 1), ("pending_enterprise", 3.5), ("returned_by_enterprise", 1),
               ("pending_center", 4), ("returned_by_center", 1.5))
# With a registration in force: a renewal when it expires within the year, otherwise mostly
# changes of unit and added specialties (and now and then a cancellation).
LATER_TYPES = (("renewal", 10), ("change_unit", 50), ("add_specialty", 27), ("cancel", 5), ("change_personal", 3),
               ("lost_certificate", 2), ("cancel_specialty", 3))

TABLES = (Enterprise.__table__, Person.__table__, Qualification.__table__, Registration.__table__,
          registration_specialty, Application.__table__, application_specialty, Review.__table__)

class ScaleRefused(RuntimeError):
    pass


class _Ids:
    """The next free id per table, read once: new rows continue after what is there."""

    def __init__(self):
        self.next = {
            name: (db.session.scalar(select(func.max(model.id))) or 0) + 1
            for name, model in (("enterprise", Enterprise), ("person", Person), ("qualification", Qualification),
                                ("registration", Registration), ("application", Application), ("review", Review))
        }

    def take(self, name):
        value = self.next[name]
        self.next[name] = value + 1
        return value


class _Writer:
    """Rows collected per table, flushed in foreign-key order: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, connection):
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        self.rows = {table.name: [] for table in TABLES}
        self.columns = {}

    def add(self, table, row):
        if table.name not in self.columns:
            self.columns[table.name] = list(row)
        self.rows[table.name].append(tuple(row.values()))

    def flush(self):
        for table in TABLES:
            rows = self.rows[table.name]
            if not rows:
                continue
            columns = self.columns[table.name]
            if self.postgres:
                buffer = io.StringIO()
                csv.writer(buffer).writerows(rows)  # None is written as an empty field: NULL in CSV COPY
                buffer.seek(0)
                cursor = self.connection.connection.dbapi_connection.cursor()
                cursor.copy_expert(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer)
                cursor.close()
            else:
                self.connection.execute(table.insert(), [dict(zip(columns, row)) for row in rows])
            rows.clear()


def load(sm, persons, applications, seed=2026, today=None, progress=None, batch_applications=50_000):
    """Add `persons` persons and `applications` filings (with everything they imply).

    `progress(n)` is called with the number of filings written after each batch. Returns a dict of
    row counts per table.
    """
    if current_app.config["ENVIRONMENT"] == "production":
        raise ScaleRefused("批量测试数据不能载入生产环境（APP_ENV=production）")
    if persons < 1 or applications < 0:
        raise ScaleRefused("人员数至少为1，申请数不能为负")
    from seeds import reference

    reference.load(sm)
    today = today or date.today()
    rng = random.Random(seed)
    world = _World(rng, today, persons, applications)
    connection = db.session.connection()
    writer = _Writer(connection)
    counts = dict.fromkeys((t.name for t in TABLES), 0)

    def flush():
        for name, rows in writer.rows.items():
            counts[name] += len(rows)
        writer.flush()
        db.session.commit()

    world.enterprises(writer)
    flush()
    per_person = world.filings_per_person()
    batch, in_batch = [], 0
    for index, filings in enumerate(per_person):
        batch.append(filings)
        in_batch += filings
        if in_batch >= batch_applications or index == len(per_person) - 1:
            for count in batch:
                world.person(writer, count)
            writer.connection = db.session.connection()
            flush()
            if progress:
                progress(in_batch)
            batch, in_batch = [], 0
    _finish(db.session.connection())
    db.session.commit()
    return counts


def _finish(connection):
    """After COPY with explicit ids: move the id sequences past them, and refresh the statistics
    the planner (and the estimated list counts) rely on."""
    if connection.dialect.name != "postgresql":
        return
    for table in ("enterprise", "person", "qualification", "registration", "application", "review"):
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"
        ))


def vacuum_analyze(engine):
    """VACUUM ANALYZE the bulk tables (outside any transaction): fresh statistics for the planner
    and a visibility map, so counts can use index-only scans."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in TABLES:
            connection.exec_driver_sql(f"VACUUM ANALYZE {table.name}")


class _World:
    """Generates the rows. Deterministic for a given seed and database state."""

    def __init__(self, rng, today, persons, applications):
        self.rng = rng
        self.today = today
        self.now = datetime.combine(today, time(hour=9))
        self.persons_wanted = persons
        self.applications_wanted = applications
        self.ids = _Ids()
        self.specialties = list(db.session.scalars(select(Specialty.id).order_by(Specialty.id)))
        self.prefix = current_app.config["CERT_PROVINCE_PREFIX"]
        self.years = current_app.config["REGISTRATION_YEARS"]
        self.taken_id_numbers = set(db.session.scalars(select(Person.id_number)))
        self.taken_phones = set(db.session.scalars(select(Person.phone).where(Person.phone.is_not(None))))
        self.taken_certificates = set(db.session.scalars(select(Qualification.certificate_number)))
        self.taken_credit_codes = set(db.session.scalars(select(Enterprise.credit_code)))
        self.center_id = db.session.scalar(
            select(User.id).join(assoc_user_role, assoc_user_role.c.user_id == User.id)
            .join(Role, Role.id == assoc_user_role.c.role_id).where(Role.name == roles.CENTER)
            .order_by(User.id).limit(1)
        )
        self.reviewer_ids = {row.enterprise_id: row.user_id for row in db.session.execute(
            select(EnterpriseAccount.enterprise_id, EnterpriseAccount.user_id))}
        # docked units that already exist (the demo's) come first: they become the largest employers
        self.units = [(row.id, row.name) for row in db.session.execute(
            select(Enterprise.id, Enterprise.name).where(Enterprise.docked_at.is_not(None)).order_by(Enterprise.id)
        )]
        self.unit_weights = []

    # -- enterprises ---------------------------------------------------------------------------
    def enterprises(self, writer):
        wanted = max(20, self.persons_wanted // 50)
        for n in range(wanted):
            eid = self.ids.take("enterprise")
            city = CITIES[n % len(CITIES)]
            brand = BRANDS[(n // len(CITIES)) % len(BRANDS)]
            trade = TRADES[(n // (len(CITIES) * len(BRANDS))) % len(TRADES)]
            series = n // (len(CITIES) * len(BRANDS) * len(TRADES))
            name = f"陕西{city}{brand}{trade}{'第' + str(series + 1) + '分' if series else ''}有限公司"
            docked = n % 25 != 24  # one in 25 has not docked yet: not selectable as a unit
            writer.add(Enterprise.__table__, {
                "id": eid, "credit_code": self._credit_code(eid), "name": name,
                "legal_representative": self._name(), "registered_address": f"陕西省{city}市建设路{eid % 300 + 1}号",
                "enterprise_type": "有限责任公司", "govnet_status": "存续",
                "docked_at": self.now - timedelta(days=self.rng.randint(30, 3000)) if docked else None,
                "synced_at": self.now - timedelta(days=self.rng.randint(0, 30)) if docked else None,
                "contact_person": self._name(), "contact_phone": f"029-8{eid % 10_000_000:07d}",
                "office_address": f"陕西省{city}市建设路{eid % 300 + 1}号",
                "qualification_grade": "施工总承包二级",
            })
            if docked:
                self.units.append((eid, name))
        # Zipf-like sizes: a few large employers, a long tail of small ones
        self.unit_weights = [1.0 / (rank + 1) for rank in range(len(self.units))]

    def _credit_code(self, eid):
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        shift = 0
        while True:
            n, digits = eid + shift * 10_000_000, ""
            for _ in range(7):
                n, r = divmod(n, 31)
                digits = alphabet[r] + digits
            code = make_credit_code(f"91610{(eid % 9) + 1}00MA{digits}")
            if code not in self.taken_credit_codes:
                self.taken_credit_codes.add(code)
                return code
            shift += 1

    # -- persons and their filings ---------------------------------------------------------------
    def filings_per_person(self):
        """How many filings each person made over the years: `applications` in total, uneven."""
        n, total = self.persons_wanted, self.applications_wanted
        counts = [total // n + (1 if i < total % n else 0) for i in range(n)]
        for i in range(0, n - 1, 2):  # move some filings between neighbours: same total, some variety
            spare = min(counts[i], counts[i + 1]) - 1
            if spare > 0:
                shift = self.rng.randint(-spare, spare)
                counts[i] += shift
                counts[i + 1] -= shift
        return counts

    def _name(self):
        rng = self.rng
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        return rng.choice(SURNAMES) + given

    def _id_number(self, pid, sex):
        days, rest = (pid * 7919) % 13880, pid // 13880
        shift = 0
        while True:
            seq, region = (rest + shift) % 500, REGIONS[((rest + shift) // 500) % len(REGIONS)]
            number = make_id_number(region=region, birth=date(1962, 1, 1) + timedelta(days=days), seq=seq, sex=sex)
            if number not in self.taken_id_numbers:
                self.taken_id_numbers.add(number)
                return number
            shift += 7

    def _unique(self, taken, value):
        while value in taken:
            value = value[:-1] + str((int(value[-1]) + 1) % 10) if value[-1].isdigit() else value + "1"
        taken.add(value)
        return value

    def person(self, writer, filings):
        rng = self.rng
        pid = self.ids.take("person")
        sex = "男" if rng.random() < 0.86 else "女"
        id_number = self._id_number(pid, sex)
        birth = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        name = self._name()
        profile = {
            "ethnicity": rng.choice(ETHNICITIES), "education": rng.choice(EDUCATIONS), "major": rng.choice(MAJORS),
            "school": rng.choice(SCHOOLS), "title": rng.choice(TITLES),
        }
        phone = self._unique(self.taken_phones, f"15{pid % 1_000_000_000:09d}")
        email = f"p{pid}@example.cn"
        # the first filing some time in the last 15 years, at least 25 years after birth
        earliest = max(birth + timedelta(days=25 * 365), self.today - timedelta(days=15 * 365))
        latest = self.today - timedelta(days=30)
        start = earliest + timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))
        writer.add(Person.__table__, {
            "id": pid, "user_id": None, "name": name, "sex": sex, "birth_date": birth, "id_number": id_number,
            **profile, "phone": phone, "email": email,
            "verified_at": datetime.combine(start, time(10)) - timedelta(days=rng.randint(1, 60)),
        })
        held = rng.sample(self.specialties, k=min(len(self.specialties), rng.choice((1, 1, 1, 2, 2, 3))))
        for k, specialty in enumerate(held):
            writer.add(Qualification.__table__, {
                "id": self.ids.take("qualification"), "person_id": pid, "specialty_id": specialty,
                "certificate_number": self._unique(
                    self.taken_certificates, f"{(start.year - 1) % 100:02d}{id_number[:6]}{pid:08d}{k}"),
                "issue_date": start - timedelta(days=rng.randint(30, 700)),
            })
        filer = {"pid": pid, "name": name, "sex": sex, "birth": birth, "id_number": id_number, "phone": phone,
                 "email": email, **profile}
        self._walk(writer, filer, held, filings, start)

    def _unit(self):
        return self.rng.choices(self.units, weights=self.unit_weights)[0]

    def _walk(self, writer, filer, held, filings, start):
        """One person's filings in time order; only the last one may still be open."""
        rng = self.rng
        unit = self._unit()
        registration = None  # the person's latest registration, as a dict of its columns
        refused = False  # refused once without a registration: the next filing is a 重新注册
        span = max(1, (self.today - start).days - 10)
        for j in range(filings):
            day = start + timedelta(days=span * j // filings + rng.randint(0, max(0, span // filings // 3)))
            created = datetime.combine(day, time(hour=rng.randint(8, 17), minute=rng.randint(0, 59)))
            if registration is None or registration["status"] == "cancelled":
                kind = "reregister" if registration is not None or refused else "initial"
            else:
                if (registration["valid_until"] - day).days <= 365 and rng.random() < 0.9:
                    kind = "renewal"
                else:
                    kind = rng.choices([t for t, _ in LATER_TYPES], weights=[w for _, w in LATER_TYPES])[0]
                if kind == "add_specialty" and not set(held) - registration["specialties"]:
                    kind = "change_unit"
                if kind == "cancel_specialty" and len(registration["specialties"]) < 2:
                    kind = "lost_certificate"  # one specialty cannot be cancelled on its own
            last = j == filings - 1
            if last and rng.random() < OPEN_SHARE:
                status = rng.choices([s for s, _ in OPEN_STATES], weights=[w for _, w in OPEN_STATES])[0]
                created = max(created, self.now - timedelta(days=rng.randint(1, 40)))
            else:
                status = "refused" if rng.random() < (0.06 if kind in ("initial", "reregister") else 0.02) else "approved"
            new_unit = self._unit() if kind == "change_unit" else None
            if kind == "change_unit" and new_unit == unit:
                new_unit = self.units[(self.units.index(unit) + 1) % len(self.units)]
            filed_unit = new_unit or (unit if registration is None or kind in ("initial", "reregister")
                                      else registration["unit"])
            if kind in ("initial", "reregister"):
                picked = set(rng.sample(held, k=rng.randint(1, len(held))))
            elif kind == "add_specialty":
                picked = {rng.choice(sorted(set(held) - registration["specialties"]))}
            elif kind == "cancel_specialty":
                picked = {rng.choice(sorted(registration["specialties"]))}
            else:
                picked = set(registration["specialties"])
            aid = self.ids.take("application")
            old_unit = registration["unit"] if registration is not None and kind == "change_unit" else None
            if status == "pending_release" and not _needs_release(kind):
                status = "pending_enterprise"  # only a change of unit waits for the old unit
            reviews, decided = self._reviews(kind, aid, filer, filed_unit, old_unit, status, created)
            linked = registration["id"] if registration is not None and kind not in ("initial", "reregister") else None
            if status == "approved":
                day_decided = decided.date()
                if kind in ("initial", "reregister"):
                    if registration is not None:
                        self._write_registration(writer, registration)
                    registration = {
                        "id": self.ids.take("registration"), "unit": filed_unit, "specialties": set(picked),
                        "valid_from": day_decided, "valid_until": add_years(day_decided, self.years),
                        "status": "active", "created_at": decided, "updated_at": decided, "pid": filer["pid"],
                    }
                    # each specialty's own validity, as app/effects.py gives it
                    registration["terms"] = {sp: [day_decided, registration["valid_until"]] for sp in picked}
                    linked = registration["id"]
                elif kind == "renewal":  # every specialty picked: 3 years more from its own expiry
                    for term in registration["terms"].values():
                        term[1] = add_years(term[1], self.years)
                    registration["valid_until"] = max(term[1] for term in registration["terms"].values())
                elif kind == "change_unit":
                    registration["unit"] = new_unit
                    unit = new_unit
                elif kind == "add_specialty":  # the new specialty runs 3 years from its approval
                    registration["specialties"] |= picked
                    for sp in picked:
                        registration["terms"][sp] = [day_decided, add_years(day_decided, self.years)]
                    registration["valid_until"] = max(term[1] for term in registration["terms"].values())
                elif kind == "cancel":
                    registration["status"] = "cancelled"
                elif kind == "cancel_specialty":
                    registration["specialties"] -= picked
                    for sp in picked:
                        registration["terms"].pop(sp, None)
                    registration["valid_until"] = max(term[1] for term in registration["terms"].values())
                registration["updated_at"] = decided
            elif status == "refused" and registration is None:
                refused = True
            submitted = max((r["created_at"] for r in reviews if r["action"] == "submit"), default=None)
            writer.add(Application.__table__, {
                "id": aid, "business_type": kind, "status": status, "person_id": filer["pid"],
                "enterprise_id": filed_unit[0], "registration_id": linked,
                "visible_unit_id": access.visible_unit(kind, status, filed_unit[0], old_unit[0] if old_unit else None),
                "name": filer["name"], "sex": filer["sex"], "birth_date": filer["birth"],
                "id_number": filer["id_number"], "phone": filer["phone"], "ethnicity": filer["ethnicity"],
                "education": filer["education"], "major": filer["major"], "school": filer["school"],
                "title": "高级工程师" if kind == "change_personal" else filer["title"], "email": filer["email"],
                "reason": REASONS.get(kind),
                "version": 1 + len(reviews), "created_at": created,
                "updated_at": reviews[-1]["created_at"] if reviews else created,
                "submitted_at": submitted, "decided_at": decided if status in ("approved", "refused") else None,
            })
            for specialty in sorted(picked):
                writer.add(application_specialty, {"application_id": aid, "specialty_id": specialty})
            for review in reviews:
                writer.add(Review.__table__, review)
        if registration is not None:
            self._write_registration(writer, registration)

    def _write_registration(self, writer, registration):
        writer.add(Registration.__table__, {
            "id": registration["id"],
            "certificate_number": f"{self.prefix}2{registration['valid_from'].year}{registration['id']:08d}",
            "person_id": registration["pid"], "enterprise_id": registration["unit"][0],
            "valid_from": registration["valid_from"], "valid_until": registration["valid_until"],
            "status": registration["status"], "created_at": registration["created_at"],
            "updated_at": registration["updated_at"],
        })
        for specialty in sorted(registration["specialties"]):
            valid_from, valid_until = registration["terms"][specialty]
            writer.add(registration_specialty, {"registration_id": registration["id"], "specialty_id": specialty,
                                                "valid_from": valid_from, "valid_until": valid_until,
                                                "status": "active"})

    def _reviews(self, kind, aid, filer, unit, old_unit, status, created):
        """The review records that lead to `status`: a walk through states.moves() (the moves
        allowed for this business type, with their roles and required opinions), in time order."""
        rng = self.rng
        actors = {
            "applicant": (None, filer["name"]),
            "enterprise": (self.reviewer_ids.get(unit[0]), f"{unit[1][:6]}经办人"),
            "old_enterprise": (self.reviewer_ids.get(old_unit[0]), f"{old_unit[1][:6]}经办人") if old_unit else None,
            "center": (self.center_id, "注册中心审核员"),
        }
        opinions = {"enterprise": RETURN_BY_UNIT, "old_enterprise": RELEASE_REFUSALS, "center": RETURN_BY_CENTER}
        steps, moment, state = [], [created], ["draft"]

        def do(action, days=3):
            move = _move(kind, state[0], action)
            moment[0] = min(self.now, moment[0] + timedelta(days=rng.randint(0, days), minutes=rng.randint(5, 600)))
            opinion = None
            if move.opinion == "required":
                opinion = rng.choice(REFUSALS if action == "refuse" else opinions[move.role])
            who = actors[move.role]
            steps.append({
                "id": self.ids.take("review"), "application_id": aid, "actor_id": who[0], "actor_name": who[1],
                "role": move.role, "action": action, "from_status": move.source, "to_status": move.target,
                "opinion": opinion, "created_at": moment[0],
            })
            state[0] = move.target

        def submit():  # to the unit, through the old unit's release where the type needs it
            do("submit", 2)
            if state[0] == "pending_release" and status != "pending_release":
                do("release", 5)

        if status == "draft":
            if rng.random() < 0.15:
                do("submit", 2)
                do("withdraw", 2)
            return steps, None
        if status == "pending_release":
            do("submit", 2)
            return steps, None
        if status == "returned_by_enterprise" and _needs_release(kind) and rng.random() < 0.5:
            do("submit", 2)
            do("return")  # the old unit does not release the person
            return steps, None
        submit()
        final = status in ("approved", "refused")
        if final and rng.random() < 0.10:
            do("return")
            submit()
        if status == "pending_enterprise":
            return steps, None
        if status == "returned_by_enterprise":
            do("return")
            return steps, None
        do("approve", 5)
        if status == "pending_center":
            return steps, None
        if status == "approved" and rng.random() < 0.05:
            do("return", 10)
            submit()
            do("approve", 5)
        if status == "returned_by_center":
            do("return", 10)
            return steps, None
        do("refuse" if status == "refused" else "approve", 15)
        return steps, steps[-1]["created_at"]


def _move(kind, source, action):
    """The move of states.moves() that this business type takes from `source` by `action`."""
    for move in states.moves():
        types = getattr(move, "types", None)
        if move.source == source and move.action == action and (types is None or kind in types):
            return move
    raise LookupError(f"no move {action} from {source} for {kind}")


def _needs_release(kind):
    return any(m.target == "pending_release" for m in states.moves()
               if m.action == "submit" and kind in (getattr(m, "types", None) or ()))
