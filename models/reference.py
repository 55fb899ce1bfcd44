from flask_appbuilder import Model
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column


class Specialty(Model):
    """One of the six registration specialties of the second class (注册专业)."""

    __tablename__ = "specialty"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)

    def __str__(self):
        return self.name


SPECIALTIES = (
    ("JZ", "建筑工程"),
    ("GL", "公路工程"),
    ("SL", "水利水电工程"),
    ("SZ", "市政公用工程"),
    ("KY", "矿业工程"),
    ("JD", "机电工程"),
)
