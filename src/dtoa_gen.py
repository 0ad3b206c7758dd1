#!/usr/bin/env python3
"""dtoa_gen.py - the power-of-five tables of src/dtoa.c, and the proof that
they are precise enough.

Takes: nothing (run from anywhere: `python3 src/dtoa_gen.py`).
Gives: rewrites the block between the BEGIN/END markers in src/dtoa.c, after
checking, for every binary exponent a double can have, that the 125-bit
table entries give the exact floor of each scaled bound (the argument of
section 3.3 of Ulf Adams, "Ryu: fast float-to-string conversion", PLDI 2018,
done here by an exact search rather than by hand).  Exits 1 if any check
fails, and then leaves dtoa.c alone.  `--check` only verifies that dtoa.c
holds what the script would write.

What dtoa.c computes (see its comments): a double is m2 * 2^e2; the three
scaled bounds are m * 2^E for m in {4*m2 - 1 or 2, 4*m2, 4*m2 + 2} and
E = e2 - 2, so every m lies in [1, 2^55 + 2] and E in [-1076, 969].
  E >= 0:  q = max(0, floor(E log10 2) - 1), and
           floor(m * 2^E / 10^q) = floor(m * 2^(E-q) / 5^q)
           is taken as floor(m * INV[q] / 2^j), INV[q] = ceil(2^(L(q)+124) / 5^q),
           j = L(q) + 124 - E + q, where L(x) is the bit length of 5^x.
  E < 0:   q = max(0, floor(-E log10 5) - 1), i = -E - q, and
           floor(m * 2^E / 10^(E+q)) = floor(m * 5^i / 2^q)
           is taken as floor(m * POW[i] / 2^j), POW[i] = floor(5^i * 2^125 / 2^L(i)),
           j = q + 125 - L(i).
"""
import os
import re
import sys

BITS = 125
M_MAX = (1 << 55) + 2
E_MIN, E_MAX = -1076, 969
HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.path.join(HERE, "dtoa.c")


def bitlen5(x):
    return (5 ** x).bit_length()


def floor_log10_pow2(e):  # floor(e * log10(2)), exactly
    p, k = 1 << e, 0
    while 10 ** (k + 1) <= p:
        k += 1
    return k


def floor_log10_pow5(e):  # floor(e * log10(5)), exactly
    p, k = 5 ** e, 0
    while 10 ** (k + 1) <= p:
        k += 1
    return k


def first_in_range(a, b, lo, hi):
    """The smallest x >= 0 with lo <= (a*x mod b) <= hi (0 <= lo <= hi < b),
    or None.  Euclid-like: if no multiple of a lands in [lo, hi] before
    wrapping, the question becomes one about b mod a (interval length < a)."""
    a %= b
    if lo == 0:
        return 0
    if a == 0:
        return None
    x = (lo + a - 1) // a
    if a * x <= hi:
        return x
    y = first_in_range(b % a, a, (-hi) % a, (-lo) % a)
    if y is None:
        return None
    return (lo + b * y + a - 1) // a


def self_test_first_in_range():
    import random
    rng = random.Random(1)
    for _ in range(20000):
        b = rng.randrange(2, 200)
        a = rng.randrange(0, b)
        lo = rng.randrange(0, b)
        hi = rng.randrange(lo, b)
        want = None
        for x in range(0, 2 * b + 1):
            if lo <= a * x % b <= hi:
                want = x
                break
        if first_in_range(a, b, lo, hi) != want:
            sys.exit("first_in_range wrong for %r" % ((a, b, lo, hi),))


def verify():
    """Every claim dtoa.c relies on, for every E.  Returns the table sizes."""
    # The integer formulas dtoa.c uses for the logarithms.
    for e in range(0, 1100):
        assert (e * 78913) >> 18 == floor_log10_pow2(e), e
        assert (e * 732923) >> 20 == floor_log10_pow5(e), e
        assert ((e * 1217359) >> 19) + 1 == bitlen5(e), e
    need_pow, need_inv = 0, 0
    for E in range(E_MIN, E_MAX + 1):
        if E >= 0:
            q = max(0, floor_log10_pow2(E) - 1)
            need_inv = max(need_inv, q + 1)
            L = bitlen5(q)
            inv = -(-(1 << (L + 124)) // 5 ** q)
            assert inv < 1 << 128
            j = L + 124 - E + q
            assert 64 < j < 128 and E - q >= 0
            # m*inv/2^j = x + m*eps/(5^q 2^j) with x = m*2^(E-q)/5^q and
            # eps = inv*5^q - 2^(L+124) in [0, 5^q).  The floor is exact
            # iff 5^q - R > m*eps/2^j where R = m*2^(E-q) mod 5^q (when
            # R = 0 it holds since eps < 5^q and m < 2^j).  Sufficient:
            # no m in [1, M_MAX] has (-m*2^(E-q)) mod 5^q in [1, T].
            eps = inv * 5 ** q - (1 << (L + 124))
            T = (M_MAX * eps) >> j  # >= every m*eps/2^j, floored
            if q > 0 and T > 0:
                a = (-(1 << (E - q))) % 5 ** q
                x = first_in_range(a, 5 ** q, 1, min(T, 5 ** q - 1))
                if x is not None and x <= M_MAX:
                    sys.exit("E=%d: inverse table too coarse (m=%d)" % (E, x))
            # the largest result fits 64 bits (and the digit loop's
            # vp / 100 needs no more)
            assert (M_MAX * inv) >> j < 1 << 63
        else:
            q = max(0, floor_log10_pow5(-E) - 1)
            i = -E - q
            need_pow = max(need_pow, i + 1)
            L = bitlen5(i)
            pw = (5 ** i << BITS) >> L
            assert pw < 1 << 128
            j = q + BITS - L
            assert 64 < j < 128
            # 5^i = pw * 2^s + r with s = L - 125 (r = 0 when s <= 0), so
            # m*pw/2^j = m*5^i/2^q - m*r/2^q.  With R = m*5^i mod 2^q the
            # floor is exact iff R >= m*r.  R = 0 needs 2^q | m, so q <= 55,
            # and then r must be 0.  Sufficient otherwise: no m in
            # [1, M_MAX] has R in [1, M_MAX*r - 1].
            s = L - BITS
            if s > 0:
                r = 5 ** i - (pw << s)
                assert q > 55, E
                T = M_MAX * r - 1
                if T > 0:
                    a = 5 ** i % (1 << q)
                    x = first_in_range(a, 1 << q, 1, min(T, (1 << q) - 1))
                    if x is not None and x <= M_MAX:
                        sys.exit("E=%d: power table too coarse (m=%d)" % (E, x))
            assert (M_MAX * pw) >> j < 1 << 63
    return need_pow, need_inv


def table(name, values, comment):
    out = ["/* %s */" % comment,
           "static const uint64_t %s[%d][2] = {" % (name, len(values))]
    for v in values:
        out.append("    {0x%016xu, 0x%016xu}," % (v & ((1 << 64) - 1), v >> 64))
    out.append("};")
    return "\n".join(out)


def generate(need_pow, need_inv):
    pow_vals = [(5 ** i << BITS) >> bitlen5(i) for i in range(need_pow)]
    inv_vals = [-(-(1 << (bitlen5(q) + 124)) // 5 ** q) for q in range(need_inv)]
    return "\n".join([
        "/* BEGIN generated by src/dtoa_gen.py: do not edit */",
        "enum { DTOA_POW5_COUNT = %d, DTOA_POW5_INV_COUNT = %d };" % (need_pow, need_inv),
        table("dtoa_pow5", pow_vals,
              "floor(5^i * 2^125 / 2^L(i)), L(i) the bit length of 5^i: {low, high} words"),
        table("dtoa_pow5_inv", inv_vals,
              "ceil(2^(L(q) + 124) / 5^q): {low, high} words"),
        "/* END generated by src/dtoa_gen.py */",
    ])


def main():
    self_test_first_in_range()
    need_pow, need_inv = verify()
    text = generate(need_pow, need_inv)
    with open(TARGET) as f:
        src = f.read()
    pat = re.compile(r"/\* BEGIN generated by src/dtoa_gen\.py.*?/\* END generated by src/dtoa_gen\.py \*/",
                     re.S)
    if not pat.search(src):
        sys.exit("dtoa.c has no generated block")
    new = pat.sub(lambda _: text, src)
    if "--check" in sys.argv[1:]:
        if new != src:
            sys.exit("src/dtoa.c's tables differ from what src/dtoa_gen.py generates")
        print("dtoa.c tables up to date (%d + %d entries)" % (need_pow, need_inv))
        return
    with open(TARGET, "w") as f:
        f.write(new)
    print("wrote %d + %d entries; every exponent verified" % (need_pow, need_inv))


if __name__ == "__main__":
    main()
