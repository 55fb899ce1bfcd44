"""The shape of the code, checked on every run: no import cycle, and imports run one way only
(views/ and seeds/ above app/, app/ above models/; the app factory alone wires views and seeds in).
The contracts are .importlinter's; an import that breaks one fails here with the chain that does."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_import_contracts_hold():
    linter = os.path.join(os.path.dirname(sys.executable), "lint-imports")
    done = subprocess.run([linter, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": ROOT})
    assert done.returncode == 0, done.stdout + done.stderr
