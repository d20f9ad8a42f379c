"""Checks a schema.org JSON-LD export with a JSON-LD processor (pyld).

The document is expanded against schema.org's own context (vendored: CI has no network,
see .ci/schemaorg/README.md). It must hold JobPosting and Organization nodes; every
top-level node must have an absolute @id (so the graph means the same without a base
URL); no term may be dropped on expansion; and every property must be one schema.org
defines, on a type it defines it for (release 30.0: `domainIncludes`, with the type's
supertypes). Prints what it found; exits 1 with every violation otherwise.
"""

import json
import re
import sys
from pathlib import Path

from pyld import jsonld

SCHEMA = "http://schema.org/"
HERE = Path(__file__).parent / "schemaorg"
CONTEXT = json.loads((HERE / "schemaorgcontext.jsonld").read_text())
VOCABULARY = json.loads((HERE / "vocabulary.json").read_text())
ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def ancestors(type_name):
    """The type and every type it is a subtype of."""
    seen, pending = set(), [type_name]
    while pending:
        t = pending.pop()
        if t not in seen:
            seen.add(t)
            pending.extend(VOCABULARY["types"].get(t, []))
    return seen


def check_domains(node, problems, where):
    """Every property of every node object is defined by schema.org for its type."""
    if isinstance(node, list):
        for item in node:
            check_domains(item, problems, where)
        return
    if not isinstance(node, dict) or "@value" in node:
        return
    node_types = [t.removeprefix(SCHEMA) for t in node.get("@type", [])]
    allowed = set().union(*(ancestors(t) for t in node_types)) if node_types else None
    for t in node_types:
        if t not in VOCABULARY["types"]:
            problems.append(f"{where}: {t} is not a schema.org type")
    for key, value in node.items():
        if key.startswith("@"):
            continue
        name = key.removeprefix(SCHEMA)
        domains = VOCABULARY["properties"].get(name)
        if not key.startswith(SCHEMA) or domains is None:
            problems.append(f"{where}: {key} is not a schema.org property")
        elif allowed is not None and not allowed.intersection(domains):
            problems.append(f"{where}: {name} is not a property of {'/'.join(node_types)}")
        check_domains(value, problems, f"{where}.{name}")


def loader(url, options=None):
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": CONTEXT,
        }
    raise jsonld.JsonLdError(
        f"no network here, and {url} is not vendored", "jsonld.LoadDocumentError"
    )


def properties(value):
    """How many properties (keys that are not keywords) the objects in `value` hold."""
    if isinstance(value, list):
        return sum(properties(v) for v in value)
    if isinstance(value, dict):
        if "@value" in value:
            return 0
        return sum(
            (0 if k.startswith("@") else 1) + properties(v) for k, v in value.items()
        )
    return 0


def main(path):
    document = json.loads(Path(path).read_text())
    jsonld.set_document_loader(loader)
    expanded = jsonld.expand(document)
    problems = []
    types = {}
    for node in expanded:
        node_types = [t.removeprefix(SCHEMA) for t in node.get("@type", [])]
        for t in node_types:
            types[t] = types.get(t, 0) + 1
        check_domains(node, problems, "/".join(node_types))
    for node in document.get("@graph", []):
        node_id = node.get("@id", "")
        if not ABSOLUTE.match(node_id) or node_id.startswith("_:"):
            problems.append(f"a {node.get('@type')} node has no absolute @id: {node_id!r}")
    written, kept = properties(document.get("@graph", [])), properties(expanded)
    if kept != written:
        problems.append(f"{written - kept} of {written} properties were dropped on expansion")
    for needed in ("JobPosting", "Organization"):
        if not types.get(needed):
            problems.append(f"no {needed} node")
    quads = jsonld.to_rdf(expanded, {"format": "application/n-quads"})
    print(
        f"expanded with pyld: {types.get('JobPosting', 0)} JobPosting, "
        f"{types.get('Organization', 0)} Organization nodes, {written} properties kept, "
        f"{len(quads.splitlines())} triples"
    )
    for problem in problems:
        print(f"violation: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
