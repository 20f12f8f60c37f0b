"""Load NDJSON written by stac-catalog-manager into a fresh pgstac database
with pypgstac, then read it back with SQL.

usage: pgstac_roundtrip.py ADMIN_DSN NDJSON_DIR [SAMPLE_ID ...]
ADMIN_DSN points at an existing database of a PostgreSQL server with PostGIS
available; a throwaway database is created beside it and dropped at the end.
Prints one JSON object: {"count", "ids", "collections", "items": {id: item}}.
"""

import json
import os
import subprocess
import sys
import uuid

import psycopg


def main() -> int:
    admin_dsn, ndjson_dir, *sample_ids = sys.argv[1:]
    name = f"scm_pgstac_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    dsn = psycopg.conninfo.make_conninfo(admin_dsn, dbname=name)
    pypgstac = os.path.join(os.path.dirname(sys.executable), "pypgstac")
    try:
        subprocess.run([pypgstac, "migrate", "--dsn", dsn], check=True, capture_output=True)
        subprocess.run(
            [pypgstac, "load", "collections", os.path.join(ndjson_dir, "collections.ndjson"), "--dsn", dsn, "--method", "insert"],
            check=True,
            capture_output=True,
        )
        for entry in sorted(os.listdir(ndjson_dir)):
            items = os.path.join(ndjson_dir, entry, "items.ndjson")
            if os.path.isfile(items):
                subprocess.run(
                    [pypgstac, "load", "items", items, "--dsn", dsn, "--method", "insert"],
                    check=True,
                    capture_output=True,
                )
        with psycopg.connect(dsn) as conn:
            count = conn.execute("SELECT count(*) FROM pgstac.items").fetchone()[0]
            ids = [row[0] for row in conn.execute("SELECT id FROM pgstac.items ORDER BY id")]
            collections = [row[0] for row in conn.execute("SELECT id FROM pgstac.collections ORDER BY id")]
            items = {}
            for item_id in sample_ids:
                row = conn.execute(
                    "SELECT pgstac.get_item(%s, (SELECT collection FROM pgstac.items WHERE id = %s LIMIT 1))",
                    (item_id, item_id),
                ).fetchone()
                items[item_id] = row[0] if row else None
        print(json.dumps({"count": count, "ids": ids, "collections": collections, "items": items}))
    except subprocess.CalledProcessError as error:
        sys.stderr.write(error.stderr.decode("utf-8", "replace"))
        return 1
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
