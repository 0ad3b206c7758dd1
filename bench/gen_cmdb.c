/*
 * gen_cmdb.c — a synthetic CMDB export for the benchmark's "analyst's job"
 * section: N rows of
 *
 *     id,revenue,risk,cost,demand,customers
 *
 * (id svc0000000.., revenue 0..2999999, risk 0.00..0.99, cost
 * 1000..999999, demand 0..99999, customers one of retail, wholesale,
 * online: the business unit a service is for, so that no service is an
 * orphan to strat) from a fixed-seed generator, so every run and every
 * runner sees the same bytes.   usage: gen_cmdb N > cmdb.csv
 *
 * bench/outcheck.c relies on the id form: "svc" and the row number, at
 * least seven digits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state = 0x2545f4914f6cdd1dULL;

static uint32_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (uint32_t)(state >> 11);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: gen_cmdb N\n", stderr);
        return 2;
    }
    long n = atol(argv[1]);
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    static const char *const units[] = {"retail", "wholesale", "online"};
    puts("id,revenue,risk,cost,demand,customers");
    for (long i = 0; i < n; i++) {
        uint32_t revenue = next() % 3000000;
        uint32_t risk = next() % 100;
        uint32_t cost = 1000 + next() % 999000;
        uint32_t demand = next() % 100000;
        const char *unit = units[next() % 3];
        printf("svc%07ld,%u,0.%02u,%u,%u,%s\n", i, revenue, risk, cost, demand, unit);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
