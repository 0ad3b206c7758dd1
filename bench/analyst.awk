# analyst.awk — bench/analyst.strat's score and decide table in awk, for the
# analyst section's mawk runner:
#   mawk -F, -f analyst.awk cmdb.csv > out.csv
# Columns: id,revenue,risk,cost,demand,customers.  Writes id,decision,roi;
# the score in the order of analyst.strat (awk numbers are doubles), printed
# with %.17g so that it reads back as the same double.
NR == 1 { print "id,decision,roi"; next }
{
    roi = ($2 - $4) / $4 * (1 - $3)
    if (roi >= 1 && $5 >= 5000) d = "invest"
    else if (roi < 0)           d = "retire"
    else                        d = "tolerate"
    printf "%s,%s,%.17g\n", $1, d, roi
}
