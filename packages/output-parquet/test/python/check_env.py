"""Exits 0 when every package the independent-reader tests need imports; prints what is missing otherwise."""

import importlib
import sys

missing = []
for name in ("pyarrow", "duckdb", "stac_geoparquet", "rustac", "shapely"):
    try:
        importlib.import_module(name)
    except Exception as error:  # noqa: BLE001 - report any import failure
        missing.append(f"{name} ({error.__class__.__name__}: {error})")
if missing:
    print("missing: " + ", ".join(missing))
    sys.exit(1)
print("ok")
