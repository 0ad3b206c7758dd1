# gen.awk — the generated portfolio of tests/sql_test.sh: N services (-v n=N,
# -v seed=S) as CSV on stdout, with the columns tests/sql/portfolio.strat
# maps.  Most rows are complete and decide through an arm; a few have empty
# cells (missing values, defaults), a size of 0 (infinite ratio: the row
# fails) or no size (NaN: it fails too); rank values repeat (ties).
function pick(list,   parts, k) { k = split(list, parts, " "); return parts[int(rand() * k) + 1] }
function num(lo, hi, digits) { return sprintf("%." digits "f", lo + rand() * (hi - lo)) }
BEGIN {
    srand(seed)
    print "id,title,owner,status,kind,Annual cost,demand,csat,incidents,fit,size,flag,tier,launched,suppliers"
    for (i = 1; i <= n; i++) {
        status = rand() < 0.9 ? "catalogue" : pick("pipeline retired")
        kind = pick("business supporting")
        cost = rand() < 0.02 ? "" : num(1000, 900000, int(rand() * 4))
        demand = rand() < 0.01 ? "" : int(rand() * 5) * 1000 + int(rand() * 3)
        csat = rand() < 0.05 ? "" : num(0, 5, 3)
        incidents = int(rand() * 90)
        fit = rand() < 0.03 ? "" : num(0.5, 4, 2)
        r = rand()
        size = r < 0.004 ? "" : r < 0.008 ? 0 : int(rand() * 8) + 1
        flag = rand() < 0.1 ? "" : pick("true false")
        tier = rand() < 0.3 ? "" : pick("gold silver bronze")
        launched = rand() < 0.1 ? "" : sprintf("%04d-%02d-%02d", 2005 + int(rand() * 21), int(rand() * 12) + 1, int(rand() * 28) + 1)
        suppliers = pick("aws aws;azure gcp; aws ;gcp ;")
        if (suppliers == ";") suppliers = ""
        printf "svc%06d,\"Service %d, generated\",%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", i, i, pick("core_team edge_team"), status, kind, cost, demand, csat, incidents, fit, size, flag, tier, launched, suppliers
    }
}
