"""Extensions are created here and bound to an app in create_app."""
from flask_appbuilder import Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate

# One metadata for FAB's ab_* tables and ours, so Alembic sees and creates both.
db = SQLA(metadata=Model.metadata)
migrate = Migrate()
from flask_wtf.csrf import CSRFProtect  # noqa: E402

# Every POST needs the form's token: FAB's own delete, action_post and our move routes included.
csrf = CSRFProtect()
