#!/usr/bin/env bash
# html_test.sh BIN — the self-contained HTML report of `decide --format html`.
#
#   bash tests/html_test.sh build/strat
#
# For each example strategy (examples/NAME/NAME.strat, broken/ left out),
# run from the example's own directory with a pinned --today, as the golden
# tests do, and for the strategies this script writes (findings):
#   generate     `decide --format html -o FILE` exits 0 and writes a file
#   determinism  a second run gives the same bytes
#   well-formed  python3's html.parser: every non-void element is closed in
#                order, one <html>, <head>, <body>; no http:// or https://
#                in src/href attributes or CSS url(); no <link rel=stylesheet>,
#                no <script src>; the parts the report promises are there
#                (title, inputs SHA-256, summary, SVG chart with a <title> per
#                bubble, ranked table, one <details> per service)
#   render       headless Chromium at 1400 px wide takes a screenshot (PNG >
#                10 kB, kept in the temp dir) with no console error, and
#                --dump-dom shows the inline script ran
#   layout       a copy of the report with a probe script added, loaded in
#                Chromium at --window-size=1400,1000: the document is no
#                wider than the window, and no section, table or wrapper is
#                wider than the window or scrolls sideways (the probe
#                writes what it found into data-layout; --dump-dom reads
#                it back).  The probe is shown to catch a planted 2000 px
#                wide table.
#   lifecycle    hospital's timeline: its rows in order, today where --today
#                puts it, a passed milestone drawn in red
#   report block a strategy's `report { x y size title }`: the page's title,
#                the chart's axes and size and the table's axis columns
#                follow it; std/time's default axes (inventory)
#   at scale     tests/gen_portfolio.sh's 400 services (most sharing their
#                two scores with others): well-formed, no two bubbles on one
#                spot, and the render and layout checks above
#   money        itdept's show-back section (its rows as `strat showback`
#                gives them, the reconciliation closed) and its demand
#                forecasts (a sparkline with a dashed forecast per service)
#   findings     a strategy with rules broken, a limit broken and waivers
#                expired, expiring and in force: the findings section lists
#                them, the expired waiver marked, each waiver's approver
#                and reason (escaped) under its name
# Chromium comes from the Debian package `chromium` (`make test-deps`
# installs it); without it the render checks are skipped with a message.  No HTML golden file is kept: the report
# is large, and determinism plus these checks cover it.
# Prints `N passed, M failed` last; exit 1 on failure.
set -u
bin=$(realpath "${1:-build/strat}")
root=$(cd "$(dirname "$0")/.." && pwd)
today=2027-01-15
pass=0
fail=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export STRAT_STDLIB="${STRAT_STDLIB:-$root/stdlib}"

. "$root/tests/lib.sh"

# ---- the structural checker ------------------------------------------------
cat >"$work/check.py" <<'PY'
import re, sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "param", "source", "track", "wbr"}
URL = re.compile(r"(?i)https?://")
CSS_URL = re.compile(r"(?i)url\(\s*['\"]?\s*([^'\")]*)")

class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.counts = [], [], {}
        self.in_style = False
        self.svg_titles = 0
        self.text = []

    def err(self, msg):
        line, col = self.getpos()
        self.errors.append("%d:%d: %s" % (line, col + 1, msg))

    def attrs_check(self, tag, attrs):
        for k, v in attrs:
            v = v or ""
            if k in ("src", "href", "xlink:href", "action", "srcset", "poster") and URL.search(v):
                self.err("network reference in <%s %s=%r>" % (tag, k, v))
            if k == "style":
                for u in CSS_URL.findall(v):
                    if URL.search(u):
                        self.err("network url() in a style attribute: %r" % u)
        a = dict(attrs)
        if tag == "script" and "src" in a:
            self.err("external script: %r" % a["src"])
        if tag == "link" and "stylesheet" in (a.get("rel") or ""):
            self.err("external stylesheet: %r" % a.get("href"))

    def handle_starttag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        self.attrs_check(tag, attrs)
        if tag == "title" and "svg" in self.stack:
            self.svg_titles += 1
        if tag == "style":
            self.in_style = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        # <circle .../> inside SVG; also accepted for void elements
        self.counts[tag] = self.counts.get(tag, 0) + 1
        self.attrs_check(tag, attrs)
        if "svg" not in self.stack and tag not in VOID:
            self.err("self-closing non-void HTML element <%s/>" % tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            self.err("end tag for void element </%s>" % tag)
            return
        if not self.stack:
            self.err("</%s> with nothing open" % tag)
            return
        if self.stack[-1] != tag:
            self.err("</%s> closes <%s> (open: %s)" % (tag, self.stack[-1],
                                                     " > ".join(self.stack[-6:])))
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            for u in CSS_URL.findall(data):
                if URL.search(u):
                    self.err("network url() in CSS: %r" % u)
            if re.search(r"(?i)@import", data):
                self.err("@import in CSS")
        elif self.stack and self.stack[-1] != "script":
            self.text.append(data)

path, title, nservices = sys.argv[1], sys.argv[2], int(sys.argv[3])
src = open(path, encoding="utf-8").read()
c = Checker()
c.feed(src)
c.close()
if c.stack:
    c.err("unclosed at the end: %s" % " > ".join(c.stack))
if not src.startswith("<!DOCTYPE html>"):
    c.err("no <!DOCTYPE html> first")
if c.counts.get("svg", 0) < 1:
    c.err("no <svg>")
for t in ("html", "head", "body"):
    if c.counts.get(t, 0) != 1:
        c.err("expected one <%s>, found %d" % (t, c.counts.get(t, 0)))
text = " ".join(c.text)
if title not in text:
    c.err("strategy title %r not in the page" % title)
if not re.search(r"inputs SHA-256\s*[0-9a-f]{64}", text):
    c.err("no inputs SHA-256")
if "Summary by " not in text:
    c.err("no summary section")
if c.counts.get("details", 0) != nservices:
    c.err("%d <details>, expected one per service (%d)" % (c.counts.get("details", 0), nservices))
if c.counts.get("circle", 0) < nservices:
    c.err("%d circles for %d services" % (c.counts.get("circle", 0), nservices))
if c.svg_titles < nservices + 1:
    c.err("%d SVG <title>s, expected one per bubble and one for the chart" % c.svg_titles)
if c.counts.get("tbody", 0) < nservices:
    c.err("ranked table has %d service groups, expected %d" % (c.counts.get("tbody", 0), nservices))
for bad in ("http://", "https://"):
    for m in re.finditer(re.escape(bad), src):
        # only the SVG namespace would be harmless, and the report has none
        c.err("%s at offset %d" % (bad, m.start()))
        break
if "scores:" not in text or "arms, in order" not in text:
    c.err("explanation text (scores:, arms, in order) missing")
for e in c.errors[:20]:
    print(e)
sys.exit(1 if c.errors else 0)
PY

# ---- chromium ----------------------------------------------------------------
find_chromium() {
    for b in chromium chromium-browser google-chrome; do
        if command -v "$b" >/dev/null 2>&1; then
            command -v "$b"
            return 0
        fi
    done
    return 1
}
chromium=$(find_chromium)
if [ -z "$chromium" ]; then
    echo "html_test: SKIP rendering checks: chromium is not installed (make test-deps)"
fi

# chrome FILE.html OUT.png: screenshot; stderr (console log) to OUT.png.log
chrome_shot() {
    local ud
    ud=$(mktemp -d "$work/ud.XXXXXX")
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$ud" --enable-logging=stderr --v=0 \
        --screenshot="$2" --window-size=1400,2000 "file://$1" \
        >/dev/null 2>"$2.log" </dev/null
}
chrome_dom() {
    local ud
    ud=$(mktemp -d "$work/ud.XXXXXX")
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$ud" --enable-logging=stderr --v=0 \
        --window-size=1400,1000 --dump-dom "file://$1" >"$2" 2>"$2.log" </dev/null
}

# The layout probe: after the page's own script, measure the document and
# every section, table and wrapper against the window's width.
cat >"$work/probe.js" <<'JS'
(function () {
  var w = window.innerWidth, bad = [], de = document.documentElement;
  if (de.scrollWidth > w) bad.push('document ' + de.scrollWidth + 'px');
  var es = document.querySelectorAll('header, main, section, figure, svg, .tablewrap, table, footer');
  for (var i = 0; i < es.length; i++) {
    var e = es[i], r = e.getBoundingClientRect();
    var name = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
               (e.getAttribute('class') ? '.' + e.getAttribute('class') : '');
    if (r.right > w + 0.5) bad.push(name + ' ends at ' + Math.round(r.right) + 'px');
    if (e.tagName !== 'svg' && e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
      bad.push(name + ' scrolls ' + e.scrollWidth + '>' + e.clientWidth);
  }
  de.setAttribute('data-width', String(w));
  de.setAttribute('data-layout', bad.length ? bad.slice(0, 8).join('; ') : 'ok');
})();
JS
# layout_check NAME FILE.html: the probe's verdict, "ok" or what overflows
layout_check() {
    local probed="$work/$1.probe.html"
    awk -v f="$work/probe.js" 'index($0, "</body>") == 1 {
            print "<script>"; while ((getline l < f) > 0) print l; print "</script>" }
        { print }' "$2" >"$probed"
    chrome_dom "$probed" "$work/$1.probe.dom"
    local w v
    w=$(sed -n 's/.*<html[^>]* data-width="\([0-9]*\)".*/\1/p' "$work/$1.probe.dom" | head -1)
    v=$(sed -n 's/.*<html[^>]* data-layout="\([^"]*\)".*/\1/p' "$work/$1.probe.dom" | head -1)
    if [ "$w" != 1400 ]; then
        echo "window is ${w:-unknown} px wide, not 1400"
    else
        echo "${v:-no verdict}"
    fi
}

# render_checks NAME FILE.html: screenshot, console, script, layout
render_checks() {
    local name=$1 out=$2 png="$work/$1.png" size errs lay
    chrome_shot "$out" "$png"
    size=$(stat -c %s "$png" 2>/dev/null || echo 0)
    if [ "$size" -gt 10240 ]; then ok; else
        bad "$name: screenshot missing or trivial ($size bytes)" "$(tail -5 "$png.log")"
    fi
    if [ -n "${HTML_TEST_KEEP:-}" ]; then
        mkdir -p "$HTML_TEST_KEEP" && cp "$out" "$png" "$HTML_TEST_KEEP/"
    fi
    chrome_dom "$out" "$work/$name.dom"
    errs=$( { console_errors "$png.log"; console_errors "$work/$name.dom.log"; } )
    if [ -z "$errs" ]; then ok; else
        bad "$name: console errors in Chromium" "$errs"
    fi
    if grep -q 'data-ready="1"' "$work/$name.dom" && grep -q '</html>' "$work/$name.dom"; then
        ok
    else
        bad "$name: the DOM did not load or the inline script did not run" \
            "$(head -c 400 "$work/$name.dom"; tail -5 "$work/$name.dom.log")"
    fi
    lay=$(layout_check "$name" "$out")
    if [ "$lay" = ok ]; then ok; else
        bad "$name: layout overflows 1400 px" "$lay"
    fi
}
# Console messages.  Chromium logs every console message as an
# INFO:CONSOLE line whatever its level (console.error included), so the
# level cannot be told from the log; the report itself never logs, so any
# CONSOLE line (an uncaught exception, a Content-Security-Policy refusal, a
# console.error, a deprecation) counts as an error.
console_errors() {
    grep -E ':CONSOLE[:(]' "$1" || true
}

# ---- the examples --------------------------------------------------------------
while read -r main; do
    d=$(dirname "$main")
    name=$(basename "$d")
    f="$name.strat"
    out="$work/$name.html"
    err=$( (cd "$d" && LC_ALL=C TZ=UTC "$bin" decide --today "$today" --color never \
        --format html -o "$out" "$f") 2>&1 </dev/null)
    code=$?
    if [ $code != 0 ] || [ ! -s "$out" ]; then
        bad "$name: decide --format html exit $code" "$err"
        continue
    fi
    ok
    # determinism: a second run, and one under another locale and time zone
    (cd "$d" && LC_ALL=C.UTF-8 TZ=Asia/Kolkata "$bin" decide --today "$today" --color never \
        --format html -o "$out.2" "$f" >/dev/null 2>&1 </dev/null)
    if cmp -s "$out" "$out.2"; then ok; else
        bad "$name: two runs give different bytes" "$(diff "$out" "$out.2" | head -10)"
    fi
    # the strategy title and the number of services, from the JSON format
    meta=$( (cd "$d" && "$bin" decide --today "$today" --format json "$f" 2>/dev/null) |
        python3 -c 'import json,sys; j=json.load(sys.stdin); print(len(j["decisions"])); print(j["strategy"])')
    n=$(printf '%s\n' "$meta" | head -1)
    title=$(printf '%s\n' "$meta" | sed -n 2p)
    if msg=$(python3 "$work/check.py" "$out" "$title" "$n" 2>&1); then ok; else
        bad "$name: structure" "$msg"
    fi
    [ -n "$chromium" ] || continue
    render_checks "$name" "$out"
done < <(example_mains)

# The lifecycle timeline: hospital's two services with milestones, earliest
# first, today where --today puts it, a passed milestone in red.
for day in 2027-01-15 2026-03-01; do
    (cd "$root/examples/hospital" && "$bin" decide --today "$day" --format html \
        -o "$work/tl.html" hospital.strat >/dev/null 2>&1 </dev/null)
    sec=$(sed -n '/<section id="lifecycle">/,/<\/section>/p' "$work/tl.html" 2>/dev/null)
    order=$(printf '%s\n' "$sec" | sed -n 's/.*dominant-baseline="middle" font-size="12">\([a-z_]*\)<.*/\1/p' | tr '\n' ' ')
    red=$(printf '%s\n' "$sec" | grep -c 'stroke="#b00020" stroke-width="2"/>')
    want_red=1
    [ "$day" = 2026-03-01 ] && want_red=0
    if [ "$order" = "lab_system pacs " ] && [ "$red" = "$want_red" ] &&
        printf '%s' "$sec" | grep -q ">today $day</text>"; then
        ok
    else
        bad "lifecycle (--today $day): rows '$order', $red passed marks (want $want_red)" "$(printf '%s\n' "$sec" | head -12)"
    fi
done

# Show-back and forecasts: itdept's page has both sections, one show-back row
# per customer and service charged with the reconciliation closed, and one
# sparkline per service with a demand history (six), each with its dashed
# forecast.
(cd "$root/examples/itdept" && "$bin" decide --today "$today" --format html \
    -o "$work/money.html" itdept.strat >/dev/null 2>&1 </dev/null)
sb=$(sed -n '/<section id="showback">/,/<\/section>/p' "$work/money.html" 2>/dev/null)
fc=$(sed -n '/<section id="forecasts">/,/<\/section>/p' "$work/money.html" 2>/dev/null)
charges=$(printf '%s\n' "$sb" | grep -c '<tr class="charge">')
closed=$(printf '%s\n' "$sb" | grep -c 'reconciled to the cent')
sparks=$(printf '%s\n' "$fc" | grep -o '<svg class="spark"' | wc -l)
dashed=$(printf '%s\n' "$fc" | grep -o 'stroke-dasharray' | wc -l)
want_charges=$("$bin" showback --today "$today" --format csv "$root/examples/itdept/itdept.strat" \
    2>/dev/null | grep -c '^charge,')
if [ "$charges" -gt 0 ] && [ "$charges" = "$want_charges" ] && [ "$closed" = 1 ] &&
    [ "$sparks" = 6 ] && [ "$dashed" = 6 ]; then
    ok
else
    bad "itdept: $charges show-back rows (want $want_charges), reconciled $closed, $sparks sparklines and $dashed forecasts (want 6)" \
        "$(printf '%s\n' "$sb" | head -5)"
fi

# The probe must see an overflow: a 2000 px wide table planted in a report.
if [ -n "$chromium" ] && [ -s "$work/retail.html" ]; then
    sed 's#<section id="findings">#<section id="planted"><table style="width:2000px"><tr><td>x</td></tr></table></section>&#' \
        "$work/retail.html" >"$work/planted.html"
    lay=$(layout_check planted "$work/planted.html")
    case $lay in
        *planted*) ok ;;
        *) bad "layout probe: a planted 2000 px table was not caught" "$lay" ;;
    esac
fi

# ---- the report block: axes, size and title chosen in the strategy ------------
rb="$work/reportblock"
mkdir -p "$rb"
sed -n '1,/^decide {/p' "$root/tests/golden/report/fmt_roundtrip.strat" | sed '$d' >"$rb/rb.strat"
cat >>"$rb/rb.strat" <<'EOF'
report {
  x     = fit(s) * 10
  y     = if decision(s) == invest then 1 else 0
  size  = s.cost / 1000
  title = "Board <review>"
}

decide {
  invest   when fit(s) > 0.5
  tolerate otherwise
}
EOF
(cd "$rb" && "$bin" decide --today "$today" --format html -o out.html rb.strat >/dev/null 2>&1 </dev/null)
page=$(cat "$rb/out.html" 2>/dev/null)
miss=""
for want in '<h1>Board &lt;review&gt;</h1>' '<dt>strategy</dt><dd>Report</dd>' \
    '<h2>fit(s) * 10 against if decision(s) == invest then 1 else 0</h2>' \
    'bubble area proportional to <code>s.cost / 1000</code>' \
    '<td class="num">8.3333</td><td class="num">1.0000</td>' \
    '<td class="num">3.3333</td><td class="num">0.0000</td>'; do
    case $page in *"$want"*) ;; *) miss="$miss [$want]" ;; esac
done
if [ -z "$miss" ]; then ok; else bad "report block: the page lacks$miss"; fi
# std/time's default axes (examples/inventory decides with the time table)
if grep -q '<h2>technical against functional</h2>' "$work/inventory.html" 2>/dev/null; then ok; else
    bad "report block: inventory (std/time) is not charted technical against functional" \
        "$(grep -o '<h2>[^<]*' "$work/inventory.html" 2>/dev/null)"
fi

# ---- at scale: 400 services, many on the same two scores ----------------------
big="$work/big"
mkdir -p "$big"
bash "$root/tests/gen_portfolio.sh" 400 "$big/big.strat"
(cd "$big" && "$bin" decide --today "$today" --format html -o big.html big.strat >/dev/null 2>&1 </dev/null)
if [ ! -s "$big/big.html" ]; then
    bad "400 services: no report"
else
    if msg=$(python3 "$work/check.py" "$big/big.html" "Generated portfolio at scale" 400 2>&1); then ok; else
        bad "400 services: structure" "$msg"
    fi
    # no two bubbles of the chart on one spot: coincident ones are spread
    same=$(sed -n '/<section id="chart">/,/<\/section>/p' "$big/big.html" |
        grep -o '<a href="#s[0-9]*"><circle cx="[^"]*" cy="[^"]*"' |
        sed 's/.*cx="\([^"]*\)" cy="\([^"]*\)"/\1 \2/' | sort | uniq -d | wc -l)
    bubbles=$(grep -c '<a href="#s[0-9]*"><circle' "$big/big.html")
    if [ "$bubbles" = 400 ] && [ "$same" = 0 ]; then ok; else
        bad "400 services: $bubbles bubbles, $same spots holding more than one"
    fi
    [ -n "$chromium" ] && render_checks big400 "$big/big.html"
fi

# ---- findings: rules and limits broken, waivers expired, expiring, in force ----
fd="$work/findings"
mkdir -p "$fd"
cat >"$fd/findings.strat" <<'EOF'
import "std/itil"
strategy "Findings" {
  horizon  = 2027-01-01 .. 2027-12-31
  budget   = 1M
}
role cio { title = "CIO" }
objective o {
  title = "O" metric = "m" baseline = 0 target = 1 due = 2027-06-30 weight = 1 owner = cio
}
value_stream v {
  delivers = o
  stage deliver_support { services = [a, b, c] }
}
service a { title = "A" owner = cio kind = supporting investment = run supports = [o] cost = 10k csat = 2 }
service b { title = "B" owner = cio kind = supporting investment = run supports = [o] cost = 20k csat = 2 }
service c { title = "C" owner = cio kind = supporting investment = run supports = [o] cost = 30k csat = 2 }
rule loved (warning) "every service scores csat 3 or more" = all s in service : s.csat >= 3
waiver old_one  { rule = loved  entity = a  until = 2026-12-31  approved_by = cio }
waiver soon_one { rule = loved  entity = b  until = 2027-02-01  approved_by = cio }
waiver long_one { rule = loved  entity = c  until = 2029-12-31  approved_by = cio
                  reason = "vendor fix due <March> & tested" }
limit few_invested "no spend invested" = sum(s.cost for s in service where decision(s) == invest) <= 0
score value(s)  = 1
score health(s) = 1
decide {
  invest   when value(s) > 0 because "all"
  tolerate otherwise
}
EOF
(cd "$fd" && "$bin" decide --today "$today" --format html -o out.html findings.strat >/dev/null 2>&1 </dev/null)
if [ ! -s "$fd/out.html" ]; then
    bad "findings: no report"
else
    sec=$(sed -n '/<section id="findings">/,/<\/section>/p' "$fd/out.html")
    miss=""
    for want in 'S0911</code> waiver_' 'S0913</code> rule_' 'S0914</code> limit_' 'few_invested' \
        '<tr class="error"><td>old_' 'expired</span> 15 days ago' \
        '<tr class="warning"><td>soon_' 'expires</span> in 17 days' \
        '<tr class="ok"><td>long_' 'status on 2027-01-15' \
        'one<br><span class="note">approved by cio</span>' \
        'approved by cio: vendor fix due &lt;March&gt; &amp; tested</span>'; do
        case $sec in *"$want"*) ;; *) miss="$miss [$want]" ;; esac
    done
    if [ -z "$miss" ]; then ok; else
        bad "findings: the section lacks$miss" "$sec"
    fi
    [ -n "$chromium" ] && render_checks findings "$fd/out.html"
fi

# ---- escaping: hostile text from a strategy ends up inert ------------------------
esc_dir="$work/escape"
mkdir -p "$esc_dir"
cat >"$esc_dir/escape.strat" <<'EOF'
strategy "Tags <b>&amp; \"quotes\" 'n' </html>" {
  vision   = "<script>alert(1)</script>"
  horizon  = 2027-01-01 .. 2027-12-31
  currency = "E<U>R"
  budget   = 1M
}
role cio { title = "CIO" }
team t { lead = "L" }
objective o {
  title = "O" metric = "m" baseline = 0 target = 1 due = 2027-06-30 weight = 1 owner = cio
}
service a {
  title = "A" owner = t status = catalogue kind = supporting investment = run supports = [o]
}
service b {
  title = "B" owner = t status = catalogue kind = supporting investment = run supports = [o]
}
score value(s)  = alignment(s)
score health(s) = 0.5
decide {
  invest   when value(s) > 2 because "never </td></tr><script>x()</script>"
  tolerate otherwise     because "it's <fine> & \"ok\""
}
EOF
err=$( (cd "$esc_dir" && "$bin" decide --today "$today" --format html -o out.html escape.strat) 2>&1 </dev/null)
code=$?
if [ $code != 0 ] && [ $code != 1 ]; then
    bad "escape: decide exit $code" "$err"
elif [ ! -s "$esc_dir/out.html" ]; then
    bad "escape: no report" "$err"
else
    if msg=$(python3 "$work/check.py" "$esc_dir/out.html" "Tags <b>&amp; \"quotes\" 'n' </html>" 2 2>&1); then ok; else
        bad "escape: structure" "$msg"
    fi
    if grep -q '<script>alert\|<script>x()\|<fine>\|<b>&amp;' "$esc_dir/out.html"; then
        bad "escape: unescaped text in the report" "$(grep -n '<script>alert\|<script>x()\|<fine>' "$esc_dir/out.html" | head -5)"
    else
        ok
    fi
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
