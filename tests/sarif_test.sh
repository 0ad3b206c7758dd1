#!/usr/bin/env bash
# SARIF 2.1.0 output: checked against the structure the schema requires
# (what GitHub code scanning reads): version, runs[].tool.driver with
# name and rules, results with ruleId/ruleIndex matching a rule, a level
# from the allowed set, message.text, and physical locations with a uri
# and a region whose startLine/startColumn are >= 1 and whose end is not
# before its start.  Also: --format github annotations and json.
set -u
bin=$(realpath "${1:-build/strat}")
cd "$(dirname "$0")/.."
pass=0; fail=0
if ! command -v python3 >/dev/null; then
    echo "sarif: python3 not found, skipped"; echo "sarif: 0 passed, 0 failed"; exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
validate() {
    python3 - "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
def need(cond, what):
    if not cond:
        print("invalid SARIF:", what); sys.exit(1)
need(doc.get("version") == "2.1.0", "version")
need(isinstance(doc.get("$schema"), str), "$schema")
runs = doc.get("runs"); need(isinstance(runs, list) and len(runs) == 1, "runs")
drv = runs[0]["tool"]["driver"]
need(drv.get("name") == "strat" and isinstance(drv.get("version"), str), "driver")
rules = drv.get("rules"); need(isinstance(rules, list) and rules, "rules")
ids = [r["id"] for r in rules]
need(len(ids) == len(set(ids)), "rule ids unique")
for r in rules:
    need(r["shortDescription"]["text"] and r["fullDescription"]["text"], "rule texts")
    need(r["defaultConfiguration"]["level"] in ("error", "warning", "note", "none"), "rule level")
results = runs[0].get("results"); need(isinstance(results, list), "results")
for res in results:
    need(res["ruleId"] in ids, "ruleId known")
    need(ids[res["ruleIndex"]] == res["ruleId"], "ruleIndex matches")
    need(res["level"] in ("error", "warning", "note", "none"), "level")
    need(isinstance(res["message"]["text"], str) and res["message"]["text"], "message")
    for loc in res["locations"] + res.get("relatedLocations", []):
        pl = loc["physicalLocation"]
        need(isinstance(pl["artifactLocation"]["uri"], str), "uri")
        rg = pl["region"]
        need(rg["startLine"] >= 1 and rg["startColumn"] >= 1, "region start")
        need((rg["endLine"], rg["endColumn"]) >= (rg["startLine"], rg["startColumn"]), "region end")
print(len(results))
PY
}
for f in examples/broken/*.strat tests/golden/names/*.strat tests/golden/consistency/*.strat; do
    "$bin" check --format sarif --today 2027-01-15 "$f" >"$tmp/out.sarif" 2>/dev/null
    if n=$(validate "$tmp/out.sarif"); then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $f"; fi
done
# a broken file yields results, a clean one none
n=$("$bin" check --format sarif examples/broken/dependency_cycle.strat 2>/dev/null >"$tmp/c.sarif"; validate "$tmp/c.sarif")
if [ "${n:-0}" -ge 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: no results for a broken file"; fi
# github annotations: one ::error per error, with file, line and col
out=$("$bin" check --format github examples/broken/dependency_cycle.strat 2>/dev/null)
if grep -qE '^::error file=examples/broken/dependency_cycle.strat,line=[0-9]+,col=[0-9]+,title=S0701::' <<<"$out"; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL github: $out"; fi
# -o writes the report atomically, exit code unchanged
"$bin" check --format json -o "$tmp/d.json" examples/broken/dependency_cycle.strat 2>/dev/null; rc=$?
if [ $rc = 1 ] && python3 -c "import json,sys; d=json.load(open('$tmp/d.json')); assert d['format_version'] == '1.0' and d['diagnostics'][0]['code']" 2>/dev/null; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL json -o (rc $rc)"; fi
echo "sarif: $pass passed, $fail failed"
[ "$fail" = 0 ]
