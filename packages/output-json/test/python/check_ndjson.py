"""Reads NDJSON files written by @scm/output-json the way `pypgstac load` does.

Usage: check_ndjson.py <file>...
For each file, prints the records as pypgstac's own reader (pypgstac.load.read_json)
returns them, and whether they equal the records parsed with the standard json module.
"""

import json
import sys

from pypgstac.load import read_json


def main() -> None:
    report = {}
    for file in sys.argv[1:]:
        with open(file, encoding="utf-8") as handle:
            plain = [json.loads(line) for line in handle if line.strip()]
        loaded = list(read_json(file))
        ids = [record.get("id") for record in loaded]
        report[file] = {
            "records": len(loaded),
            "same_as_json": loaded == plain,
            "unique_ids": len(set(ids)) == len(ids),
            "ids": ids,
        }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
