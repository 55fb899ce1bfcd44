"""The FAB security manager of the platform."""
from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager
from sqlalchemy import select
from sqlalchemy.orm import joinedload


class SecurityManager(FabSecurityManager):
    """Local accounts (FAB's database auth) with the roles declared in app/roles.py."""

    def load_user(self, pk):
        # One statement for the user with their roles and groups: FAB reads them on every
        # permission check, and lazy loading would cost two more statements per request.
        user = self.session.scalars(
            select(self.user_model)
            .where(self.user_model.id == int(pk))
            .options(joinedload(self.user_model.roles), joinedload(self.user_model.groups))
        ).unique().one_or_none()
        if user and user.is_active:
            return user
        return None
