"""Open a STAC JSON tree with pystac and run validate_all(), offline.

pystac fetches schemas over HTTP by default; here its validator's schema cache
is filled from SCHEMA_ROOT (a folder laid out by URL) first, so nothing leaves
the machine, and objects are read as written (see AsWrittenStacIO).

usage: pystac_validate_tree.py SCHEMA_ROOT CATALOG_JSON
Prints the number of collections and items walked; exits 1 when validation fails.
"""

import json
import os
import sys

import pystac
from pystac.serialization import identify_stac_object
from pystac.stac_io import DefaultStacIO
from pystac.validation import JsonSchemaSTACValidator, set_validator


class AsWrittenStacIO(DefaultStacIO):
    """Reads objects without pystac's extension migration.

    pystac rewrites declared extension versions to the newest it knows
    (classification v1.0.0 becomes v2.0.0, for example) before validating, so
    validate_all() would check objects against schemas they never declared.
    This reader keeps the objects exactly as written.
    """

    def stac_object_from_dict(self, d, href=None, root=None, preserve_dict=True):
        href_str = None if href is None else str(os.fspath(href))
        kind = identify_stac_object(d).object_type
        cls = {
            pystac.STACObjectType.CATALOG: pystac.Catalog,
            pystac.STACObjectType.COLLECTION: pystac.Collection,
            pystac.STACObjectType.ITEM: pystac.Item,
        }[kind]
        obj = cls.from_dict(d, href=href_str, root=root, migrate=False, preserve_dict=preserve_dict)
        obj._stac_io = self
        return obj


def load_schemas(root: str, validator: JsonSchemaSTACValidator) -> None:
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".json"):
                continue
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            if rel.startswith(("LICENSES/", "examples/")):
                continue
            with open(path, encoding="utf-8") as handle:
                schema = json.load(handle)
            url = f"https://{rel}"
            validator.schema_cache[url] = schema
            validator.schema_cache[url + "#"] = schema


def main() -> int:
    schema_root, catalog_path = sys.argv[1:3]
    validator = JsonSchemaSTACValidator()
    load_schemas(schema_root, validator)
    set_validator(validator)
    catalog = pystac.read_file(catalog_path, stac_io=AsWrittenStacIO())
    collections = list(catalog.get_all_collections())
    items = list(catalog.get_items(recursive=True))
    catalog.validate_all()
    print(f"pystac: validate_all passed for {len(collections)} collections and {len(items)} items")
    return 0


if __name__ == "__main__":
    sys.exit(main())
