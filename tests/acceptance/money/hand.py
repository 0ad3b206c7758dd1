#!/usr/bin/env python3
"""hand.py DIR SHOWBACK.csv SHOWBACK.json FORECAST1.csv FORECAST12.csv DECIDE.csv

The hand computation of tests/money_acceptance_test.sh, written from the
user docs alone (DESIGN §5.7-§5.9; docs/language.md §18a, §12.1, §4.9;
docs/stdlib.md "Lifecycle risk"), never from src/: it reads the ledger,
usage and demand CSVs of DIR, restates the facts of services.strat and
campus.strat below, computes the show-back to the cent (largest remainder,
ties to the earlier service or customer), the forecasts and their MASE
(Hyndman & Athanasopoulos recurrences as §12.1 states them) and the
lifecycle risk (ServiceNow's bands), and compares each with strat's output.
Prints one line per check: `ok LABEL` or `bad LABEL: DETAIL`.
"""
import csv
import datetime
import json
import math
import sys
from fractions import Fraction as F

d, sb_csv, sb_json, fc1_csv, fc12_csv, decide_csv = sys.argv[1:7]
TODAY = datetime.date(2027, 1, 15)


def say(good, label, detail=""):
    print(("ok " if good else "bad ") + label + ("" if good else ": " + detail))


def cents(text):
    """an amount as written (`45333.33`, `-1200.50`, `250000`) in cents, exactly"""
    c = F(text) * 100
    assert c.denominator == 1, text
    return int(c)


def show(c):
    return ("-" if c < 0 else "") + "%d.%02d" % (abs(c) // 100, abs(c) % 100)


def largest_remainder(total, weights):
    """split `total` cents in proportion to `weights`: each part its exact
    share rounded down, the cents left one each to the largest remainders,
    ties to the earlier part (language.md §18a "Money to the cent")"""
    wsum = sum(weights)
    exact = [F(total) * w / wsum for w in weights]
    parts = [math.floor(e) for e in exact]
    left = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


# ---- the facts of services.strat and campus.strat, restated --------------

CUSTOMERS = ["arts", "science", "medicine", "engineering"]
# live services in declaration order: direct cost, seats, servers
SERVICES = {
    "email":           (cents("180000.45"), 12000, 3),
    "lms":             (cents("250000"), 9000, 4),
    "hpc":             (cents("400000"), 300, 10),
    "storage":         (cents("90000"), 2500, 2),
    "library":         (cents("60000"), 7000, 1),
    "legacy_sis":      (cents("120000"), 400, 2),
    "research_portal": (cents("30000"), 150, 1),
}
LIVE = list(SERVICES)
# pools in declaration order, then the ledger's own (security_ops)
POOLS = {
    "datacenter":   ("driver", {s: F(SERVICES[s][2]) for s in LIVE}),
    "network":      ("even", {s: F(1) for s in ["email", "lms", "hpc", "storage", "library"]}),
    "service_desk": ("shares", {"email": F("0.4"), "lms": F("0.3"),
                                "legacy_sis": F("0.2"), "library": F("0.1")}),
    "licences":     ("driver", {s: F(SERVICES[s][1] * 2) for s in LIVE}),
    # 4, 1, 1 servers: the remainders of 1000.00 tie at 2/3 of a cent
    "backup":       ("driver", {s: F(SERVICES[s][2]) for s in ["lms", "library", "research_portal"]}),
}
pool_cost = {"datacenter": 0, "network": cents("72000.01"), "service_desk": 0, "licences": 0,
             "backup": 0}
with open(d + "/ledger.csv", newline="") as f:
    for row in csv.DictReader(f):
        p = row["Cost Pool"].strip()
        if p not in POOLS:   # a pool of the ledger's own: evenly to the live services
            POOLS[p] = ("even", {s: F(1) for s in LIVE})
            pool_cost[p] = 0
        pool_cost[p] += cents(row["Amount"].strip())

usage = {s: {} for s in LIVE}
# library's `usage` block in services.strat
usage["library"] = {"arts": 4200, "science": 1800, "medicine": 2500, "engineering": 999}
with open(d + "/usage.csv", newline="") as f:
    for row in csv.DictReader(f):
        s, c, q = row["Service"].strip(), row["Faculty"].strip(), F(row["Units"].strip())
        usage[s][c] = usage[s].get(c, 0) + q
CHARGE = {
    "lms": ("capacity", 50000),
    "hpc": ("tiered", [0, 100000, 500000], [F("0.5"), F("0.35"), F("0.2")]),
}

# ---- step 1: pools to services ----------------------------------------

shared = {s: 0 for s in LIVE}
for p, (how, weights) in POOLS.items():
    targets = [s for s in LIVE if s in weights]
    for s, part in zip(targets, largest_remainder(pool_cost[p], [weights[s] for s in targets])):
        shared[s] += part
full = {s: SERVICES[s][0] + shared[s] for s in LIVE}

# ---- step 2: each service's full cost to its customers ----------------

def half_away(x):
    """a Fraction of cents rounded half away from zero"""
    r = math.floor(abs(x) + F(1, 2))
    return r if x >= 0 else -r


charges = {}          # (customer, service) -> (quantity, direct, shared)
unallocated = {}      # service -> (cents, quantity or None)
for s in LIVE:
    direct = SERVICES[s][0]
    users = [c for c in CUSTOMERS if c in usage[s]]
    qs = [usage[s][c] for c in users]
    how = CHARGE.get(s, ("proportional",))
    if how[0] == "proportional":
        dparts = largest_remainder(direct, qs)
        sparts = largest_remainder(shared[s], qs)
    elif how[0] == "capacity":
        unused = how[1] - sum(qs)
        dparts = largest_remainder(direct, qs + [unused])
        sparts = largest_remainder(shared[s], qs + [unused])
        unallocated[s] = (dparts.pop() + sparts.pop(), unused)
    else:   # tiered: per customer, its quantity cut at the bands' lower bounds
        bands, rates = how[1], how[2]
        dparts, sparts = [], []
        for q in qs:
            amount = F(0)
            for i, lo in enumerate(bands):
                hi = bands[i + 1] if i + 1 < len(bands) else None
                part = max(F(0), (min(q, hi) if hi is not None else q) - lo)
                amount += part * rates[i]
            bill = half_away(amount * 100)
            # the docs do not say how a tiered bill divides into direct and
            # shared; assumed: by largest remainder in the ratio of the
            # service's direct and shared cost (what strat prints agrees)
            dp, sp = largest_remainder(bill, [direct, shared[s]])
            dparts.append(dp)
            sparts.append(sp)
        unallocated[s] = (full[s] - sum(dparts) - sum(sparts), None)
    for c, q, dp, sp in zip(users, qs, dparts, sparts):
        charges[(c, s)] = (q, dp, sp)

# ---- compare with `strat showback --format csv` -----------------------

def close(a, b, rel=1e-12):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


with open(sb_csv, newline="") as f:
    rows = list(csv.DictReader(f))
got_charges = [r for r in rows if r["line"] == "charge"]
expected_order = [(c, s) for c in CUSTOMERS for s in LIVE if (c, s) in charges]
say([(r["customer"], r["service"]) for r in got_charges] == expected_order,
    "showback csv: one charge line per customer and service it uses, customers then services in order",
    str([(r["customer"], r["service"]) for r in got_charges]))
for r in got_charges:
    key = (r["customer"], r["service"])
    if key not in charges:
        continue
    q, dp, sp = charges[key]
    tot = dp + sp
    want = (show(dp), show(sp), show(tot))
    have = (r["direct"], r["shared"], r["total"])
    say(want == have, "showback csv %s/%s direct, shared, total" % key, "want %s, got %s" % (want, have))
    good = (F(r["quantity"]) == q and close(float(r["rate"]), float(F(tot, 100) / q))
            and close(float(r["share"]), tot / full[key[1]]))
    say(good, "showback csv %s/%s quantity, rate, share" % key,
        "want %s %r %r, got %s %s %s" % (q, float(F(tot, 100) / q), tot / full[key[1]],
                                         r["quantity"], r["rate"], r["share"]))

all_charged = sum(dp + sp for (_, dp, sp) in charges.values())
totals = [r for r in rows if r["line"] == "customer_total"]
say([r["customer"] for r in totals] == [c for c in CUSTOMERS if any(k[0] == c for k in charges)],
    "showback csv: a customer_total per customer", str([r["customer"] for r in totals]))
for r in totals:
    c = r["customer"]
    dsum = sum(v[1] for k, v in charges.items() if k[0] == c)
    ssum = sum(v[2] for k, v in charges.items() if k[0] == c)
    want = (show(dsum), show(ssum), show(dsum + ssum))
    have = (r["direct"], r["shared"], r["total"])
    say(want == have and close(float(r["share"]), (dsum + ssum) / all_charged),
        "showback csv customer_total %s" % c, "want %s %r, got %s %s" %
        (want, (dsum + ssum) / all_charged, have, r["share"]))

unal = [r for r in rows if r["line"] == "unallocated"]
say(sorted(r["service"] for r in unal) == sorted(unallocated),
    "showback csv: the unallocated lines are lms (unused capacity) and hpc (tiered)",
    str([r["service"] for r in unal]))
for r in unal:
    s = r["service"]
    if s not in unallocated:
        continue
    amount, q = unallocated[s]
    good = r["total"] == show(amount) and (q is None or F(r["quantity"]) == q)
    say(good, "showback csv unallocated %s" % s,
        "want %s (quantity %s), got %s (quantity %s)" % (show(amount), q, r["total"], r["quantity"]))
say(any("9000 of 50000" in r["note"] for r in unal if r["service"] == "lms"),
    "showback csv: the lms unallocated line says 9000 of 50000 units are unused",
    str([r["note"] for r in unal]))

# the reconciliation: pools + direct = charged + unallocated, to the cent
pools_total = sum(pool_cost.values())
direct_total = sum(v[0] for v in SERVICES.values())
unal_total = sum(v[0] for v in unallocated.values())
say(pools_total + direct_total == all_charged + unal_total,
    "hand computation reconciles: pools + direct = charged + unallocated",
    "%s + %s != %s + %s" % (pools_total, direct_total, all_charged, unal_total))
for s in LIVE:   # each service: charged + unallocated = direct + shared
    charged = sum(dp + sp for (c, t), (q, dp, sp) in charges.items() if t == s)
    say(charged + unallocated.get(s, (0,))[0] == full[s], "hand computation reconciles %s" % s)
tot = [r for r in rows if r["line"] == "total"]
want = (show(direct_total), show(pools_total), show(pools_total + direct_total))
say(len(tot) == 1 and (tot[0]["direct"], tot[0]["shared"], tot[0]["total"]) == want,
    "showback csv total line: direct, pools, whole cost", "want %s, got %s" % (want, tot))

with open(sb_json) as f:
    j = json.load(f)
want = {"pools": pools_total, "direct": direct_total, "charged": all_charged, "unallocated": unal_total}
have = {k: round(j[k] * 100) for k in want}
say(want == have and j["reconciled"] is True and j["currency"] == "GBP",
    "showback json: pools, direct, charged, unallocated, reconciled", "want %s, got %s %s" %
    (want, have, j.get("reconciled")))
jl = [(l["line"], l.get("customer"), l.get("service"), round(l["total"] * 100)) for l in j["lines"]]
cl = [(r["line"], r["customer"] or None, r["service"] or None, cents(r["total"])) for r in rows]
say(jl == cl, "showback json lines equal the csv lines", "json %s\ncsv %s" % (jl[:3], cl[:3]))

# ---- demand forecasts (language.md §12.1) -----------------------------

history = {}
with open(d + "/demand.csv", newline="") as f:
    for row in csv.DictReader(f):
        history.setdefault(row["Service"].strip(), []).append(
            (row["Month"].strip(), float(row["Requests"].strip())))
METHOD = {"email": ("holt_winters", 0.3, 0.1, 0.2, 12), "hpc": ("seasonal_naive", 12),
          "lms": ("holt", 0.5, 0.2), "storage": ("moving_average", 4),
          "research_portal": ("holt", 0.4, 0.3), "legacy_sis": ("moving_average", 3),
          "library": ("naive",)}
NEEDS = {"naive": lambda m: 1, "seasonal_naive": lambda m: m[1], "moving_average": lambda m: m[1],
         "holt": lambda m: 2, "holt_winters": lambda m: 2 * m[4]}


def fc(method, y, h):
    n = len(y)
    kind = method[0]
    if kind == "naive":
        return y[-1]
    if kind == "seasonal_naive":
        m = method[1]
        return y[n - m + (h - 1) % m]          # y(n - m + 1 + (h-1) mod m), 1-based
    if kind == "moving_average":
        k = method[1]
        return sum(y[-k:]) / k
    if kind == "holt":
        a, b_ = method[1], method[2]
        l, b = y[0], y[1] - y[0]
        for t in range(1, n):
            l2 = a * y[t] + (1 - a) * (l + b)
            b = b_ * (l2 - l) + (1 - b_) * b
            l = l2
        return l + h * b
    a, bt, g, m = method[1:]
    l = sum(y[:m]) / m
    b = (sum(y[m:2 * m]) / m - l) / m
    s = [y[i] - l for i in range(m)]          # s[t] for t = 0..n-1
    for t in range(m, n):
        l2 = a * (y[t] - s[t - m]) + (1 - a) * (l + b)
        b2 = bt * (l2 - l) + (1 - bt) * b
        s.append(g * (y[t] - l - b) + (1 - g) * s[t - m])
        l, b = l2, b2
    return l + h * b + s[n - m + (h - 1) % m]


def mase(method, y, holdout=3):
    train, test = y[:-holdout], y[-holdout:]
    if len(train) < NEEDS[method[0]](method):
        return None
    err = sum(abs(test[h - 1] - fc(method, train, h)) for h in range(1, holdout + 1)) / holdout
    m = method[1] if method[0] == "seasonal_naive" else method[4] if method[0] == "holt_winters" else 1
    scale = sum(abs(train[t] - train[t - m]) for t in range(m, len(train))) / (len(train) - m)
    return err / scale


for path, h in ((fc1_csv, 1), (fc12_csv, 12)):
    with open(path, newline="") as f:
        got = {r["service"]: r for r in csv.DictReader(f)}
    say(sorted(got) == sorted(history), "forecast csv (h %d): one line per service with history" % h,
        str(sorted(got)))
    for s, hist in history.items():
        if s not in got:
            continue
        y = [q for _, q in hist]
        want = fc(METHOD[s], y, h)
        have = float(got[s]["forecast"])
        say(close(want, have, 1e-9), "forecast %s h=%d (%s)" % (s, h, METHOD[s][0]),
            "want %r, got %r" % (want, have))
        r = got[s]
        say(int(r["periods"]) == len(y) and r["first"] == hist[0][0] and r["last"] == hist[-1][0],
            "forecast %s periods, first, last" % s, str(r))
        want_m = mase(METHOD[s], y)
        have_m = float(r["mase"]) if r["mase"] else None
        say(want_m is not None and have_m is not None and close(want_m, have_m, 1e-9),
            "forecast %s MASE (%s)" % (s, METHOD[s][0]), "want %r, got %r" % (want_m, have_m))

# ---- lifecycle risk (stdlib.md), allocated_cost, charge, forecast in scores

MILESTONES = {   # end_of_support, end_of_extended_support, end_of_life
    "email": ("2027-02-04", "2028-01-31", "2029-01-31"),
    "lms": ("2026-10-01", "2027-04-25", "2028-06-30"),
    "hpc": (None, None, "2029-06-30"),
    "storage": (None, None, None),
    "library": ("2026-06-30", "2027-08-03", "2027-12-31"),
    "legacy_sis": ("2024-12-31", "2025-12-31", "2026-12-31"),
    "research_portal": (None, None, "2027-03-16"),
    "old_fax": (None, None, "2020-06-30"),
}


def lifecycle(s):
    ahead = []
    for mult, text in zip((2, 3, 4), MILESTONES[s]):
        if text is None:
            continue
        days = (datetime.date.fromisoformat(text) - TODAY).days
        if days >= 0:
            ahead.append((days, -mult))
    if not ahead:
        return 100, -1
    days, mult = min(ahead)        # same day: the later phase's multiplier
    base = 20 if days <= 30 else 10 if days <= 90 else 6 if days <= 180 else \
        4 if days <= 360 else 2 if days <= 540 else 0
    return base * -mult, days


with open(decide_csv, newline="") as f:
    dec = {r["service"]: r for r in csv.DictReader(f)}
say(sorted(dec) == sorted(MILESTONES), "decide csv: every service", str(sorted(dec)))
for s in MILESTONES:
    if s not in dec:
        continue
    r = dec[s]
    risk, days = lifecycle(s)
    say(float(r["lifecycle_risk"]) == risk and float(r["vendor_risk"]) == risk
        and float(r["lifecycle_days"]) == days,
        "lifecycle_risk %s = %s (%d days)" % (s, risk, days),
        "got lifecycle_risk %s vendor_risk %s lifecycle_days %s" %
        (r["lifecycle_risk"], r["vendor_risk"], r["lifecycle_days"]))
    cost = full.get(s, 0)
    want = (F(cost, 100), F(charges[("science", s)][1] + charges[("science", s)][2], 100)
            if ("science", s) in charges else F(0))
    have = (F(r["full_cost"]), F(r["science_bill"]))
    say(want == have, "allocated_cost(%s) and charge(%s, science)" % (s, s),
        "want %s, got %s" % (tuple(map(float, want)), tuple(map(float, have))))
    if s in history:
        y = [q for _, q in history[s]]
        f1, f3, f12 = fc(METHOD[s], y, 1), fc(METHOD[s], y, 3), fc(METHOD[s], y, 12)
        growth = f12 / f1 if f1 > 0 else 1
    else:
        f3, growth = 0, 1
    say(close(float(r["demand_next_quarter"]), f3, 1e-9) and close(float(r["demand_growth"]), growth, 1e-9),
        "forecast(%s, 3) and forecast(%s, 12) / forecast(%s, 1) in scores" % (s, s, s),
        "want %r %r, got %s %s" % (f3, growth, r["demand_next_quarter"], r["demand_growth"]))
    # the decide table, by hand
    seats = {k: v[1] for k, v in SERVICES.items()}.get(s, 0)
    per_seat = float(F(cost, 100)) / max(seats, 1)
    sci = float(want[1])
    if s == "old_fax":
        want_d = "retire"
    elif risk >= 40 and cost > 100000 * 100:
        want_d = "migrate"
    elif risk >= 40:
        want_d = "enhance"
    elif growth > 1.02 and per_seat < 60:
        want_d = "invest"
    else:
        want_d = "tolerate"
    say(r["decision"] == want_d, "decision %s = %s" % (s, want_d), "got %s" % r["decision"])
order = sorted(MILESTONES, key=lambda s: (-full.get(s, 0), list(MILESTONES).index(s)))
say([r for r in sorted(dec, key=lambda s: int(dec[s]["rank"]))] == order,
    "decide csv: ranked by full_cost desc", str(order))
