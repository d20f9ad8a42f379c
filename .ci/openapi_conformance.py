#!/usr/bin/env python3
"""Checks a running node's API against its own OpenAPI document, with the standards'
validators: the document with openapi-spec-validator, and every answer below (success and
error) with jsonschema against the schema the document declares for that path, method
and status. Usage: openapi_conformance.py DATA_DIR (of a running steunpuntd)."""

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

import jsonschema
from openapi_spec_validator import validate

data_dir = Path(sys.argv[1])
base = "http://" + (data_dir / "api.addr").read_text().strip()
token = (data_dir / "api.token").read_text().strip()


def call(method, path, body=None, auth=True, content_type="application/json", raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base + path, data=data, method=method)
    if auth:
        request.add_header("Authorization", "Bearer " + token)
    if data is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


status, doc = call("GET", "/v1/openapi.json", auth=False)
assert status == 200, status
validate(doc)
print(f"OpenAPI {doc['openapi']} document: valid ({len(doc['paths'])} paths)")

checked = 0


def check(method, template, path, expected, body=None, **options):
    global checked
    status, answer = call(method, path, body, **options)
    assert status == expected, f"{method} {path}: {status}, expected {expected}: {answer}"
    operation = doc["paths"][template][method.lower()]
    declared = operation["responses"].get(str(status))
    assert declared, f"{method} {template}: answer {status} is not in the document"
    schema = dict(declared["content"]["application/json"]["schema"])
    schema["components"] = doc["components"]
    try:
        jsonschema.Draft202012Validator(schema).validate(answer)
    except jsonschema.ValidationError as error:
        sys.exit(f"{method} {path} ({status}) does not match its schema: {error.message} at {list(error.absolute_path)}")
    checked += 1
    return answer


me = check("GET", "/v1/status", "/v1/status", 200)["steunpunt_id"]
check("GET", "/v1/status", "/v1/status", 401, auth=False)
check("GET", "/v1/peers", "/v1/peers", 200)
check("GET", "/v1/region", "/v1/region", 200)
draft = {
    "title": "Voorlezen op de basisschool",
    "description": "Lees wekelijks voor aan groep 3 en 4.",
    "organisation": {"name": "OBS De Vlier"},
    "categories": ["onderwijs-school"],
    "engagement": "structureel",
    "mas": {"suitable": True, "min_age": 14},
    "location": {"municipality": "Breda", "pc4": "4811"},
    "contact": {"email": "info@devlier.nl"},
}
records = "/v1/records/{kind}"
check("POST", records, "/v1/records/vacancy?dry_run=true", 200, draft)
published = check("POST", records, "/v1/records/vacancy", 201, draft)
check("POST", records, "/v1/records/vacancy", 200, draft)
check("POST", records, "/v1/records/vacancy", 400, {**draft, "titel": "x"})
check("POST", records, "/v1/records/vacancy", 400, {**draft, "engagement": "soms"})
check("POST", records, "/v1/records/profile", 400, draft)
check("POST", records, "/v1/records/vacancy", 415, draft, content_type="text/plain")
check("POST", records, "/v1/records/vacancy", 400, raw=b"{kapot")
check("POST", records, "/v1/records/vacancy", 413, raw=b"x" * (300 * 1024))
check("GET", records, "/v1/records/vacancies", 200)
check("GET", records, "/v1/records/vacancies?limit=0", 400)
check("GET", records, "/v1/records/vacancies?bogus=1", 400)
check("GET", records, "/v1/records/taart", 400)
one = "/v1/records/{kind}/{author}/{id}"
check("GET", one, f"/v1/records/vacancy/{me}/{published['id']}", 200)
check("GET", one, f"/v1/records/vacancy/{me}/bestaat-niet", 404)
check("GET", "/v1/search/{kind}", "/v1/search/vacancies?q=voorlezen&near=4811", 200)
check("GET", "/v1/search/{kind}", "/v1/search/vacancies?radius_km=5", 400)
check("GET", "/v1/export", "/v1/export", 200)
check("GET", "/v1/export", "/v1/export?mine=true&kind=vacancy", 200)
check("POST", "/v1/sync", "/v1/sync", 200)
check("POST", "/v1/peers", "/v1/peers", 400, {"multiaddr": "nergens", "steunpunt": me})
check("POST", "/v1/peers", "/v1/peers", 422, {"adres": "x"})
check("DELETE", "/v1/records/{kind}/{id}", f"/v1/records/vacancy/{published['id']}", 200)
check("DELETE", "/v1/records/{kind}/{id}", "/v1/records/vacancy/bestaat-niet", 404)
check("DELETE", "/v1/records/{kind}/{id}", "/v1/records/profile/profile", 400)
print(f"{checked} answers match the schemas the document declares")
