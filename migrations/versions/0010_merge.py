"""one head again: the features built side by side (sign-in, directory, scale indexes,
documents, notifications) meet here, so `flask db migrate` has a single base to build on

Revision ID: 0010_merge
Revises: 0003_signin, 0004_directory, 0005_scale_indexes, 0007_review_snapshot, 0009_notifications
"""
revision = "0010_merge"
down_revision = ("0003_signin", "0004_directory", "0005_scale_indexes", "0007_review_snapshot",
                 "0009_notifications")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
