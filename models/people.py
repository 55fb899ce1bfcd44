from datetime import date, datetime

from flask_appbuilder import Model
from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.reference import Specialty


class Person(Model):
    """A constructor's profile (个人信息), linked one-to-one to a login."""

    __tablename__ = "person"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"), unique=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    sex: Mapped[str] = mapped_column(String(2))
    birth_date: Mapped[date] = mapped_column(Date)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    ethnicity: Mapped[str | None] = mapped_column(String(16))
    education: Mapped[str | None] = mapped_column(String(32))
    major: Mapped[str | None] = mapped_column(String(64))
    school: Mapped[str | None] = mapped_column(String(128))
    title: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(11), unique=True)  # the verified phone
    email: Mapped[str | None] = mapped_column(String(128))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime)  # 实人认证
    # the handwritten signature image the electronic certificate carries (uploaded once)
    signature_file: Mapped[str | None] = mapped_column(String(80))
    signature_type: Mapped[str | None] = mapped_column(String(32))
    # the ID photo (证件照) the electronic certificate carries, cropped to 3:4 (uploaded once, optional)
    photo_file: Mapped[str | None] = mapped_column(String(80))
    photo_type: Mapped[str | None] = mapped_column(String(32))
    # the national data exchange (app/exchange.py) sends the rows changed since its last run
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, default=datetime.now, onupdate=datetime.now)

    __table_args__ = (Index("ix_person_updated_at_id", "updated_at", "id"),)

    user = relationship("User")
    qualifications: Mapped[list["Qualification"]] = relationship(
        back_populates="person", order_by="Qualification.issue_date"
    )

    def __str__(self):
        return self.name


class Qualification(Model):
    """A qualification certificate (资格证书) in one specialty, from the exam authority."""

    __tablename__ = "qualification"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    specialty_id: Mapped[int] = mapped_column(ForeignKey("specialty.id"))
    certificate_number: Mapped[str] = mapped_column(String(32), unique=True)
    issue_date: Mapped[date] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="qualifications")
    specialty: Mapped[Specialty] = relationship(lazy="joined")

    def __str__(self):
        return f"{self.specialty.name}（{self.certificate_number}）"
