"""Opens a tree written by @scm/output-json with pystac and checks it offline.

Usage: check_tree.py <tree root> <schemas folder>
Prints one JSON report on stdout. The schemas folder mirrors schema URLs
(schemas.stacspec.org/v1.0.0/..., geojson.org/schema/...), so every $ref
resolves locally and nothing is fetched from the network.
"""

import json
import os
import sys
from pathlib import Path

import pystac
from jsonschema import Draft7Validator
from jsonschema_specifications import REGISTRY as META_SCHEMAS
from referencing import Resource

CORE = {
    "Catalog": "https://schemas.stacspec.org/v1.0.0/catalog-spec/json-schema/catalog.json",
    "Collection": "https://schemas.stacspec.org/v1.0.0/collection-spec/json-schema/collection.json",
    "Feature": "https://schemas.stacspec.org/v1.0.0/item-spec/json-schema/item.json",
}


def offline_validators(schemas_dir: Path) -> dict:
    documents = {}
    for path in schemas_dir.rglob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        uri = str(document.get("$id", "")).rstrip("#")
        if uri:
            documents[uri] = document
    registry = META_SCHEMAS.with_resources(
        (uri, Resource.from_contents(document)) for uri, document in documents.items()
    )
    return {kind: Draft7Validator(documents[uri], registry=registry) for kind, uri in CORE.items()}


def main() -> None:
    root = Path(sys.argv[1]).resolve()
    validators = offline_validators(Path(sys.argv[2]))
    catalog = pystac.Catalog.from_file(str(root / "catalog.json"))
    report = {
        "catalog": catalog.id,
        "children": sorted(child.id for child in catalog.get_children()),
        "items": [],
        "schema_errors": [],
        "schema_checked": 0,
    }
    for item in catalog.get_items(recursive=True):
        self_href = item.get_self_href()
        collection = item.get_collection() if item.collection_id else None
        parent = item.get_parent()
        report["items"].append(
            {
                "id": item.id,
                "self": os.path.relpath(self_href, root).replace(os.sep, "/"),
                "self_exists": os.path.isfile(self_href),
                "collection": collection.id if collection else None,
                "parent": parent.id if parent else None,
            }
        )
    for path in sorted(root.rglob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("stac_version") != "1.0.0":
            continue
        report["schema_checked"] += 1
        for error in validators[document["type"]].iter_errors(document):
            where = "/".join(str(part) for part in error.absolute_path)
            report["schema_errors"].append(f"{path.relative_to(root)} /{where}: {error.message[:200]}")
    report["items"].sort(key=lambda entry: entry["self"])
    print(json.dumps(report))


if __name__ == "__main__":
    main()
