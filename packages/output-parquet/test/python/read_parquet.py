"""Reads stac-geoparquet files with an independent implementation and prints one JSON line per file.

Usage: read_parquet.py <reader> <file.parquet> [<file.parquet> ...]
  reader = stac-geoparquet  -> {"file": ..., "items": [...]} via stac_geoparquet.arrow.stac_table_to_items
  reader = rustac           -> {"file": ..., "items": [...]} via rustac.read_sync
  reader = types            -> {"file": ..., "pyarrow": {...}, "duckdb": {...}, "rows": n, "metadata_keys": [...]}

Usage: read_parquet.py write-<writer> <in.ndjson> <out.parquet>
  writer = stac-geoparquet | rustac: writes the NDJSON items as stac-geoparquet with that implementation,
  so the tests can read peer-written files with our reader. Prints {"file": out} or {"file": out, "error": ...}.

A file that fails to read gives {"file": ..., "error": "..."} instead.
Used as a test oracle by packages/output-parquet/test/independent-readers.test.ts.
"""

import datetime as dt
import json
import sys


def default(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def read_stac_geoparquet(path):
    import pyarrow.parquet as pq
    from stac_geoparquet.arrow import stac_table_to_items

    return {"items": list(stac_table_to_items(pq.read_table(path)))}


def read_rustac(path):
    import rustac

    value = rustac.read_sync(path, set_self_link=False)
    return {"items": value.get("features", [])}


def describe_types(path):
    import duckdb
    import pyarrow.parquet as pq

    parquet_file = pq.ParquetFile(path)
    metadata = {k.decode(): v.decode() for k, v in (parquet_file.metadata.metadata or {}).items()}
    connection = duckdb.connect()
    rows = connection.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()
    count = connection.execute("SELECT count(*) FROM read_parquet(?)", [path]).fetchone()[0]
    return {
        "pyarrow": {field.name: str(field.type) for field in parquet_file.schema_arrow},
        "duckdb": {row[0]: row[1] for row in rows},
        "rows": count,
        "metadata_keys": sorted(metadata.keys()),
    }


def write_stac_geoparquet(source, target):
    from stac_geoparquet.arrow import parse_stac_ndjson_to_parquet

    parse_stac_ndjson_to_parquet(source, target)


def write_rustac(source, target):
    import rustac

    with open(source, encoding="utf-8") as handle:
        items = [json.loads(line) for line in handle if line.strip()]
    rustac.write_sync(target, items)


WRITERS = {"stac-geoparquet": write_stac_geoparquet, "rustac": write_rustac}

READERS = {"stac-geoparquet": read_stac_geoparquet, "rustac": read_rustac, "types": describe_types}


def main():
    if sys.argv[1].startswith("write-"):
        target = sys.argv[3]
        result = {"file": target}
        try:
            WRITERS[sys.argv[1][len("write-") :]](sys.argv[2], target)
        except BaseException as error:  # noqa: BLE001 - reported to the test
            result["error"] = f"{error.__class__.__name__}: {error}"
        print(json.dumps(result))
        return
    reader = READERS[sys.argv[1]]
    for path in sys.argv[2:]:
        try:
            result = reader(path)
        except BaseException as error:  # noqa: BLE001 - rustac panics raise BaseException; the test reports them
            result = {"error": f"{error.__class__.__name__}: {error}"}
        result["file"] = path
        sys.stdout.write(json.dumps(result, default=default, allow_nan=False))
        sys.stdout.write("\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
