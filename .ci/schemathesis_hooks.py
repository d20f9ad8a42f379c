"""Schemathesis hooks for .ci/run, loaded with SCHEMATHESIS_HOOKS=schemathesis_hooks.

Two formats of the API document are not JSON Schema's own, so Schemathesis is told how to
make valid ones: `steunpunt-id` (a key with a checksum; taken from real data directories,
STEUNPUNT_IDS) and `multiaddr` (libp2p's address grammar; STEUNPUNT_MULTIADDRS).

Schemathesis' own `positive_data_acceptance` expects every request that fits the schema
to be accepted. The node checks a few rules no JSON Schema can state for one field: rules
between fields (an end before the start), between a path and a query (expertise applies
to organisations only), and against tables and the clock (a postcode that exists, a place
name in the postcode table, a start date within a year). It refuses those with 400 and
names each rule in `error.problems`. `rules_beyond_the_schema` replaces the built-in check:
a request that fits the schema may be refused only with 400 naming rules of that list (or
with 401, 403, 404, 409 and 429, as the built-in check allows), so any constraint the
document fails to state is still a failure.
"""

import os

import schemathesis
from hypothesis import strategies as st
from schemathesis.core.failures import Failure

schemathesis.openapi.format(
    "steunpunt-id", st.sampled_from(os.environ["STEUNPUNT_IDS"].split(","))
)
schemathesis.openapi.format(
    "multiaddr", st.sampled_from(os.environ["STEUNPUNT_MULTIADDRS"].split(","))
)

# The rules (codes of RULES in protocol/src/validate.rs) that relate fields, parameters,
# tables or the clock; each is described in the document's text.
BEYOND_THE_SCHEMA = {
    # between fields of a record
    "organisation_needed",
    "contact_needed",
    "age_without_mas",
    "end_before_start",
    "lat_lon_pair",
    "id_needed",
    # between the path and the query or body
    "vacancies_only",
    "organisations_only",
    "age_needs_mas",
    "needs_near",
    "body_kind",
    "other_kind",
    # against this node's own state
    "own_steunpunt",
    "lists_itself",
    "managed_id",
    "managed_record",
    "lowers_valid_until",
    # against the postcode table
    "unknown_postcode",
    "unknown_municipality",
    "unknown_place",
    "postcode_elsewhere",
    # against the clock
    "end_passed",
    "start_far",
    "valid_too_long",
    "not_valid",
}

ALLOWED = {401, 403, 404, 409, 429}


@schemathesis.check
def rules_beyond_the_schema(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    status = response.status_code
    if status < 400 or status >= 500 or status in ALLOWED:
        return None
    codes = set()
    if status == 400:
        try:
            error = response.json()["error"]
            codes = {p["code"] for p in error.get("problems", [])} or {error["code"]}
        except (ValueError, KeyError, TypeError):
            codes = {"(no JSON error body)"}
        if codes and codes <= BEYOND_THE_SCHEMA:
            return None
    unstated = sorted(codes - BEYOND_THE_SCHEMA) or [str(status)]
    raise Failure(
        operation=case.operation.label,
        title="Request that fits the schema refused",
        message=f"refused with {status} for {', '.join(unstated)}, which the document could state",
    )
