"""Backup and restore: the database and the stored files, with a manifest to check a restore by.

A backup is a folder:

    manifest.json     when, the schema revision, the row count of every table, and the SHA-256 of
                      every stored file (uploads; generated PDFs are a cache and are not kept)
    database.dump     PostgreSQL: pg_dump --format=custom (restored with pg_restore)
    database.sqlite3  SQLite: the online backup API's copy
    files/ab/abcd…    every uploaded file, named by its key

`restore` loads it into a database that holds no table yet and into a storage area (a folder or a
bucket) given by settings; `verify` compares row counts and file digests with the manifest, and the
drill (`flask backup drill`) does all three into a fresh database and a fresh folder or bucket.
"""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import current_app

from app import storage
from app.extensions import db

MANIFEST = "manifest.json"


class BackupError(RuntimeError):
    pass


def _libpq(url):
    """(libpq URL without the password, environment with PGPASSWORD): no password on a command line."""
    url = sa.engine.make_url(url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return plain, env


def _run(command, env=None):
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-500:]}")


def row_counts(connectable):
    """{table: rows} for every table of the database (the schema's, alembic_version included)."""
    if isinstance(connectable, sa.engine.Engine):
        with connectable.connect() as connection:
            return row_counts(connection)
    names = sorted(sa.inspect(connectable).get_table_names())
    return {name: connectable.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar() for name in names}


def create(target, progress=None):
    """Back up the app's database and uploads into the folder `target` (made; must be empty).

    The row counts are those of the dump itself: on PostgreSQL they are counted in the snapshot
    pg_dump reads (pg_export_snapshot), on SQLite in the copy. Files are copied after the dump."""
    os.makedirs(target, exist_ok=True)
    if os.listdir(target):
        raise BackupError(f"{target} is not empty")
    engine = db.engine
    url = engine.url
    started = datetime.now(timezone.utc)
    if url.get_backend_name() == "postgresql":
        database_file = "database.dump"
        plain, env = _libpq(url)
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            with connection.begin():
                snapshot = connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar()
                counts = row_counts(connection)
                _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                      f"--file={os.path.join(target, database_file)}", plain], env)
    elif url.get_backend_name() == "sqlite":
        database_file = "database.sqlite3"
        source = sqlite3.connect(url.database)
        copy = sqlite3.connect(os.path.join(target, database_file))
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        copied = sa.create_engine(f"sqlite:///{os.path.join(target, database_file)}")
        try:
            counts = row_counts(copied)
        finally:
            copied.dispose()
    else:
        raise BackupError(f"no backup method for {url.get_backend_name()}")
    files = {}
    area = storage.files()
    for key in area.keys():
        data = area.get(key)
        path = os.path.join(target, "files", key[:2], key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(data)
        files[key] = hashlib.sha256(data).hexdigest()
        if progress:
            progress(1)
    with engine.connect() as connection:
        revision = sorted(r for (r,) in connection.execute(sa.text("SELECT version_num FROM alembic_version")))
    manifest = {"created_at": started.isoformat(), "database": database_file, "dialect": url.get_backend_name(),
                "schema_revisions": revision, "tables": counts, "files": files,
                "storage_backend": current_app.config["STORAGE_BACKEND"]}
    with open(os.path.join(target, MANIFEST), "w", encoding="utf-8") as out:
        json.dump(manifest, out, ensure_ascii=False, indent=1, sort_keys=True)
    return manifest


def read_manifest(source):
    with open(os.path.join(source, MANIFEST), encoding="utf-8") as kept:
        return json.load(kept)


def restore(source, database_url, area):
    """Load the backup in `source` into the (new, empty) database at database_url and into `area`."""
    manifest = read_manifest(source)
    target = sa.engine.make_url(database_url)
    engine = sa.create_engine(target)
    try:
        if sa.inspect(engine).get_table_names():
            raise BackupError("the target database already holds tables: restore into a new one")
    finally:
        engine.dispose()
    dump = os.path.join(source, manifest["database"])
    if manifest["dialect"] == "postgresql":
        if target.get_backend_name() != "postgresql":
            raise BackupError("a PostgreSQL backup restores into PostgreSQL")
        plain, env = _libpq(target)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={plain}", dump], env)
    else:
        if target.get_backend_name() != "sqlite":
            raise BackupError("a SQLite backup restores into SQLite")
        shutil.copyfile(dump, target.database)
    for key, digest in manifest["files"].items():
        with open(os.path.join(source, "files", key[:2], key), "rb") as kept:
            data = kept.read()
        if hashlib.sha256(data).hexdigest() != digest:
            raise BackupError(f"file {key} in the backup does not match its digest")
        area.put(key, data)
    return manifest


def verify(manifest, database_url, area):
    """What differs between the manifest and a restored database and storage area: a list of lines."""
    problems = []
    engine = sa.create_engine(database_url)
    try:
        counts = row_counts(engine)
    finally:
        engine.dispose()
    for table, rows in sorted(manifest["tables"].items()):
        if counts.get(table) != rows:
            problems.append(f"table {table}: {counts.get(table)} rows, the backup had {rows}")
    for table in sorted(set(counts) - set(manifest["tables"])):
        problems.append(f"table {table} is not in the backup")
    for key, digest in sorted(manifest["files"].items()):
        try:
            found = hashlib.sha256(area.get(key)).hexdigest()
        except storage.Missing:
            problems.append(f"file {key} is missing")
            continue
        if found != digest:
            problems.append(f"file {key}: digest {found[:12]}…, the backup had {digest[:12]}…")
    return problems


def fresh_database(suffix):
    """A new, empty database beside the app's (PostgreSQL: CREATE DATABASE; SQLite: a new file)."""
    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        name = f"{url.database}_{suffix}"
        server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with server.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
                connection.execute(sa.text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
        finally:
            server.dispose()
        return url.set(database=name).render_as_string(hide_password=False)
    folder = os.path.dirname(os.path.abspath(url.database))
    path = os.path.join(folder, f"{os.path.splitext(os.path.basename(url.database))[0]}_{suffix}.db")
    if os.path.exists(path):
        os.unlink(path)
    return f"sqlite:///{path}"


def drop_database(database_url):
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() == "postgresql":
        server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with server.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}"'))
        finally:
            server.dispose()
    elif url.database and os.path.exists(url.database):
        os.unlink(url.database)


def fresh_area(suffix, folder):
    """A new, empty storage area: a new bucket on the same S3 store, or a new folder."""
    config = current_app.config
    if config["STORAGE_BACKEND"] == "s3":
        client = storage.s3_client(config)
        bucket = f"{config['S3_BUCKET']}-{suffix}"[:63]
        client.create_bucket(Bucket=bucket)
        return storage.S3Area(client, bucket, config["S3_PREFIX"] + "uploads/"), bucket
    path = os.path.join(folder, "storage")
    os.makedirs(path, exist_ok=True)
    return storage.LocalArea(path), path


def drop_area(area):
    for key in list(area.keys()):
        area.delete(key)
    if isinstance(area, storage.S3Area):
        area.client.delete_bucket(Bucket=area.bucket)
    else:
        shutil.rmtree(area.root, ignore_errors=True)


def drill(workdir, keep=False):
    """Back up, restore into a fresh database and a fresh folder or bucket, compare: (manifest, problems)."""
    suffix = "drill_" + datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
    backup_dir = os.path.join(workdir, "backup")
    manifest = create(backup_dir)
    database_url = fresh_database(suffix)
    area, _ = fresh_area(suffix.replace("_", "-"), workdir)
    try:
        restore(backup_dir, database_url, area)
        problems = verify(manifest, database_url, area)
    finally:
        if not keep:
            drop_database(database_url)
            drop_area(area)
    return manifest, problems
