"""The FAB security manager of the platform."""
from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager


class SecurityManager(FabSecurityManager):
    """Local accounts (FAB's database auth) with the roles declared in app/roles.py."""
