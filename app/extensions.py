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
from flask_limiter import Limiter  # noqa: E402
from flask_limiter.util import get_remote_address  # noqa: E402

# Login, SMS-code and SMS-send limits (views/signin.py); counts live in RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=get_remote_address)
