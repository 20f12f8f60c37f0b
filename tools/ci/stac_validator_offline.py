"""Validate STAC files with the Python stac-validator, offline.

Every schema under SCHEMA_ROOT (a folder laid out by URL, like
packages/validate/schemas) is mapped from its https URL to the local file with
stac-validator's schema_map, so no request leaves the machine.

usage: stac_validator_offline.py SCHEMA_ROOT FILE_OR_DIR...
Prints one JSON line per object and a final count line; exits 1 if any is invalid.
"""

import json
import os
import sys
import tempfile

from stac_validator.validate import StacValidate


def schema_map(root: str) -> dict:
    mapping = {}
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".json"):
                continue
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            if rel.startswith(("LICENSES/", "examples/")):
                continue
            scheme = "http" if rel.startswith("json-schema.org/") else "https"
            mapping[f"{scheme}://{rel}"] = path
    return mapping


def files_of(args):
    for arg in args:
        if os.path.isdir(arg):
            for folder, _, files in sorted(os.walk(arg)):
                # Hidden folders hold run state (`.scm-state/`), never STAC objects.
                if any(part.startswith(".") for part in os.path.relpath(folder, arg).split(os.sep) if part != "."):
                    continue
                for name in sorted(files):
                    # The run's side files (summary, audit log) are not STAC objects.
                    side = name.startswith(("summary", ".")) or name.endswith(("transformation_audit.json", "report_record.json"))
                    if name.endswith(".json") and not side:
                        yield os.path.join(folder, name)
        else:
            yield arg


def main() -> int:
    root, *targets = sys.argv[1:]
    mapping = schema_map(root)
    total = invalid = 0
    for path in files_of(targets):
        with open(path, encoding="utf-8") as handle:
            try:
                content = json.load(handle)
            except ValueError:
                content = None
        if isinstance(content, dict) and content.get("type") == "FeatureCollection":
            # An ItemCollection: each feature is validated as its own file.
            results = []
            with tempfile.TemporaryDirectory() as folder:
                for index, feature in enumerate(content.get("features", [])):
                    part = os.path.join(folder, f"{index}.json")
                    with open(part, "w", encoding="utf-8") as handle:
                        json.dump(feature, handle)
                    validator = StacValidate(part, schema_map=mapping, verbose=False)
                    validator.run()
                    results.extend(validator.message)
        else:
            validator = StacValidate(path, schema_map=mapping, verbose=False)
            validator.run()
            results = validator.message
        for result in results:
            total += 1
            ok = bool(result.get("valid_stac"))
            if not ok:
                invalid += 1
            print(json.dumps({"path": path, "valid": ok, "error": result.get("error_message")}))
    print(f"stac-validator: {total} objects, {total - invalid} valid, {invalid} invalid")
    return 1 if invalid or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
