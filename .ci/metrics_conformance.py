#!/usr/bin/env python3
"""Checks a running node's /metrics in both text formats with the formats' own tools:
the classic Prometheus format (0.0.4) with `promtool check metrics` (its parser and its
naming lints), and OpenMetrics 1.0.0 with the strict parser of the reference Python client
(prometheus_client.openmetrics.parser). Every family must have help text.
Usage: metrics_conformance.py DATA_DIR (of a running steunpuntd)."""

import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

from prometheus_client.openmetrics.parser import text_string_to_metric_families as open_metrics
from prometheus_client.parser import text_string_to_metric_families as classic

if shutil.which("promtool") is None:
    sys.exit("promtool is not installed (Debian's prometheus package); the classic format is unchecked")

base = "http://" + (Path(sys.argv[1]) / "api.addr").read_text().strip()


def scrape(accept):
    request = urllib.request.Request(base + "/metrics")
    if accept:
        request.add_header("Accept", accept)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers["Content-Type"], response.read().decode()


def helped(families, form):
    families = list(families)
    assert families, f"{form}: no metric families"
    unhelped = [f.name for f in families if not f.documentation.strip()]
    assert not unhelped, f"{form}: families without help text: {unhelped}"
    return len(families)


# Prometheus' own Accept header, then no Accept at all (curl, older scrapers).
prometheus = "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.2"
kind, text = scrape(prometheus)
assert kind.startswith("application/openmetrics-text; version=1.0.0"), kind
count = helped(open_metrics(text), "OpenMetrics")
print(f"OpenMetrics 1.0.0 (prometheus_client's parser): {count} families, all with help text")

kind, text = scrape(None)
assert kind.startswith("text/plain; version=0.0.4"), kind
count = helped(classic(text), "classic")
lint = subprocess.run(["promtool", "check", "metrics"], input=text, text=True, capture_output=True)
print(lint.stdout + lint.stderr, end="")
assert lint.returncode == 0, f"promtool check metrics: exit {lint.returncode}"
version = subprocess.run(["promtool", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
print(f"classic 0.0.4 ({version}): {count} families, promtool check metrics: no problems")
