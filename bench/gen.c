/*
 * gen.c — a synthetic service inventory for the benchmark: N rows of
 * id,title,customers,status,cost,csat,incidents,functional_fit,
 * technical_fit,business_value,time_criticality,risk_reduction,job_size
 * from a fixed-seed generator, so every run and every runner sees the
 * same bytes.   usage: gen N > services.csv
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state = 0x9e3779b97f4a7c15ULL;

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
        fputs("usage: gen N\n", stderr);
        return 2;
    }
    long n = atol(argv[1]);
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    puts("id,title,customers,status,cost,csat,incidents,functional_fit,technical_fit,"
         "business_value,time_criticality,risk_reduction,job_size");
    for (long i = 0; i < n; i++) {
        uint32_t r = next();
        const char *status = r % 50 == 0 ? "retired" : r % 17 == 0 ? "pipeline" : "catalogue";
        printf("svc%07ld,Service %ld,everyone,%s,%u,%u.%u,%u,%u.%u,%u.%u,%u,%u,%u,%u\n", i, i,
               status, 1000 + next() % 900000, next() % 5, next() % 10, next() % 120,
               1 + next() % 3, next() % 10, 1 + next() % 3, next() % 10, 1 + next() % 20,
               1 + next() % 20, 1 + next() % 20, 1 + next() % 13);
    }
    return 0;
}
