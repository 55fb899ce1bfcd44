"""one head again: reminders and urging, the unit name on certificates and the center's full
procedure meet here

Revision ID: 0015_merge
Revises: 0011_reminders, 0013_certificate_unit_name, 0014_center_procedure
"""
revision = "0015_merge"
down_revision = ("0011_reminders", "0013_certificate_unit_name", "0014_center_procedure")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
