"""Saved states of the test database and of the uploaded files, put back before each test.

Seeding the demo through the workflow takes seconds (PDFs, signatures, every move); restoring a
saved copy takes milliseconds. A snapshot is taken once per test session (per xdist worker) and
restored before every test that wants it:

- SQLite: the whole database is copied into memory with SQLite's backup API, and copied back over
  the live file the same way. The file then holds the very pages the seed wrote (ids, sequences,
  everything), and the app's pooled connections see the new content on their next statement.
- PostgreSQL: each table's rows are kept as COPY text in memory, and each sequence's position. A
  restore, in one transaction, DELETEs every table's rows (TRUNCATE costs ten times more on tables
  this small), COPYs the saved rows back in foreign-key order and sets every sequence back. As a
  superuser (CI, the README's set-up) it runs with triggers off (session_replication_role =
  replica): no foreign-key checks, and the security log's append-only guards let it through;
  otherwise the guarded tables are TRUNCATEd, which those guards do not see.
- Uploaded files: copied once into a folder of the snapshot, and hard-linked back into UPLOAD_DIR;
  a restore removes the files that are not the snapshot's and links back the ones missing. The app
  writes a file once under a new name ("xb") and never rewrites one, so a test cannot change a
  snapshot's file through its link.
"""
import io
import os
import shutil
import sqlite3
from contextlib import closing

import sqlalchemy as sa


def _files(folder):
    """{path relative to folder: (device, inode)} of every file under folder."""
    found = {}
    for parent, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(parent, name)
            stat = os.stat(path)
            found[os.path.relpath(path, folder)] = (stat.st_dev, stat.st_ino)
    return found


def _link_or_copy(source, target):
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed
        shutil.copy2(source, target)


class Snapshots:
    """take(name) saves the database and UPLOAD_DIR; restore(name) puts them back."""

    def __init__(self, engine, uploads, folder):
        self.engine, self.uploads, self.folder = engine, uploads, folder
        self.files = {}
        self.database = _SqliteRows(engine) if engine.dialect.name == "sqlite" else _PostgresRows(engine)

    def __contains__(self, name):
        return name in self.files

    def take(self, name):
        self.database.take(name)
        kept = os.path.join(self.folder, f"uploads-{len(self.files)}")
        shutil.copytree(self.uploads, kept)
        self.files[name] = (kept, _files(kept))

    def restore(self, name):
        """The database as saved, and UPLOAD_DIR holding exactly the saved files: a file the test
        added (or put in place of a saved one) is removed, a saved one it removed is linked back.
        Empty folders are left: the app makes its folders when it needs them."""
        self.database.restore(name)
        kept, saved = self.files[name]
        present = _files(self.uploads)
        for path, inode in present.items():
            if saved.get(path) != inode:
                os.unlink(os.path.join(self.uploads, path))
        for path, inode in saved.items():
            if present.get(path) != inode:
                target = os.path.join(self.uploads, path)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                _link_or_copy(os.path.join(kept, path), target)


class _SqliteRows:
    def __init__(self, engine):
        self.path = engine.url.database
        self.saved = {}

    def take(self, name):
        kept = sqlite3.connect(":memory:", check_same_thread=False)
        with closing(sqlite3.connect(self.path)) as live:
            live.backup(kept)
        self.saved[name] = kept

    def restore(self, name):
        with closing(sqlite3.connect(self.path, timeout=30)) as live:
            self.saved[name].backup(live)


class _PostgresRows:
    def __init__(self, engine):
        self.engine = engine
        self.saved = {}
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            names = set(inspector.get_table_names()) - {"alembic_version"}
            # parents before children, so that the rows' foreign keys hold while they are copied in
            self.tables = [t for t, _ in inspector.get_sorted_table_and_fkc_names() if t in names]
            # a superuser's restore switches triggers off (foreign keys, the security log's guards)
            self.superuser = conn.execute(sa.text("SELECT current_setting('is_superuser')")).scalar() == "on"
            self.guarded = set(conn.execute(sa.text(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND NOT t.tgisinternal"
            )).scalars())
        quoted = ", ".join(f"""('{t}', EXISTS (SELECT 1 FROM "{t}"))""" for t in self.tables)
        self.filled = f"SELECT t FROM (VALUES {quoted}) AS v(t, filled) WHERE filled"

    def take(self, name):
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            rows = {}
            for table in self.tables:
                out = io.BytesIO()
                cursor.copy_expert(f'COPY "{table}" TO STDOUT', out)
                if out.tell():
                    rows[table] = out.getvalue()
            cursor.execute("SELECT quote_ident(sequencename), last_value FROM pg_sequences WHERE schemaname = 'public'")
            sequences = cursor.fetchall()
            raw.commit()
        finally:
            raw.close()
        # one statement puts every sequence back: where it was, or unused (the next value is 1)
        values = [f"setval('{seq}', {last or 1}, {'true' if last is not None else 'false'})" for seq, last in sequences]
        self.saved[name] = (rows, "SELECT " + ", ".join(values) if values else None)

    def restore(self, name):
        rows, sequences = self.saved[name]
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("SET LOCAL synchronous_commit = off")  # a test database need not survive a crash
            if self.superuser:
                cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute("; ".join(f'DELETE FROM "{t}"' for t in self.tables))
            else:
                # DELETE costs far less than TRUNCATE on tables this small, save where a trigger refuses it
                cursor.execute(self.filled)
                filled = {t for (t,) in cursor.fetchall()}
                if filled & self.guarded:
                    cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in sorted(filled & self.guarded)) + " CASCADE")
                for table in reversed(self.tables):
                    if table in filled - self.guarded:
                        cursor.execute(f'DELETE FROM "{table}"')
            for table in self.tables:
                if table in rows:
                    cursor.copy_expert(f'COPY "{table}" FROM STDIN', io.BytesIO(rows[table]))
            if sequences:
                cursor.execute(sequences)
            raw.commit()
        finally:
            raw.close()
