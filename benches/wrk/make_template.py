#!/usr/bin/env python3
"""Turn the first request body of a payloads.ndjson into the template
benches/wrk/create.lua fills per request: the client id, email, Tax_ID and
passport number (the values the sandbox keeps unique) become @ID@, @EMAIL@,
@TAX@ and @PASSPORT@.

    make_template.py payloads.ndjson > body.json

Exit code 1 when the file has no body or the body lacks one of them.
"""

import json
import sys


def main():
    with open(sys.argv[1], "rb") as f:
        line = f.readline()
    if not line.strip():
        sys.exit("no request body in " + sys.argv[1])
    body = json.loads(line)
    client = body["client"]
    client["id"] = "@ID@"
    client["emailAddress"] = "@EMAIL@"
    found = 0
    for v in body.get("customInformation") or []:
        if v.get("customFieldID") == "Tax_ID" or v.get("customFieldId") == "Tax_ID":
            v["value"] = "@TAX@"
            found += 1
    for d in body.get("idDocuments") or []:
        if d.get("documentType") == "PASSPORT":
            d["documentId"] = "@PASSPORT@"
            found += 1
    if found != 2:
        sys.exit("the first body lacks a Tax_ID value or a passport")
    sys.stdout.write(json.dumps(body, separators=(",", ":"), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
