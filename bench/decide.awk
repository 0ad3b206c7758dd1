# decide.awk — bench/portfolio.strat's scores and decide table in awk, for
# the benchmark's gawk and mawk runners:   awk -F, -f decide.awk services.csv
# Columns: id,title,customers,status,cost,csat,incidents,functional_fit,
#          technical_fit,business_value,time_criticality,risk_reduction,job_size
# Formulas in the order written in portfolio.strat (awk numbers are doubles).
NR > 1 {
    value  = 0.5 * $6 / 5 + 0.5 * ($8 - 1) / 3
    health = 1 - $7 / 100
    if (health < 0) health = 0
    if (health > 1) health = 1
    fit    = ($9 - 1) / 3
    wsjf   = ($10 + $11 + $12) / $13
    if ($4 == "pipeline")                                d = "experiment"
    else if ($4 == "retired")                            d = "retire"
    else if (value >= 0.7 && health >= 0.6 && fit >= 0.5) d = "invest"
    else if (value >= 0.7)                               d = "enhance"
    else if (value >= 0.4 && fit < 0.4)                  d = "migrate"
    else if (value < 0.25 && $5 > 500000)                d = "retire"
    else                                                 d = "tolerate"
    count[d]++
}
END {
    n = split("invest enhance migrate retire experiment tolerate", names, " ")
    for (i = 1; i <= n; i++)
        printf "%-10s %d\n", names[i], count[names[i]] + 0
}
