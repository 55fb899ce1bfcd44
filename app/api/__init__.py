"""The REST API under /api/v1: its sign-in, errors, request checks and OpenAPI description.

The routes themselves are in views/api/; like the pages they call app/access.py, app/workflow.py,
app/rules.py and app/attachments.py, so a rule fixed once holds for both.
"""
API_PREFIX = "/api/"
