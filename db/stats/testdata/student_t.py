# Regenerates student_t.txt, the reference quantiles of Student's t used by
# quantile_test.go. It needs only mpmath (30 significant digits):
#
#     python3 student_t.py > student_t.txt
#
# For each tail probability q and df, t solves P(T > t) = q, that is
# 0.5 * I_{df/(df+t^2)}(df/2, 1/2) = q, found by bisection on mpmath's
# regularized incomplete beta. Independent of the Go code under test; it
# takes about ten minutes.
import mpmath as mp

mp.mp.dps = 30

def upper_tail(t, df):
    x = df / (df + t * t)
    return mp.betainc(df / 2, mp.mpf(1) / 2, 0, x, regularized=True) / 2

def quantile(q, df):
    lo, hi = mp.mpf(0), mp.mpf(1)
    while upper_tail(hi, df) > q:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if upper_tail(mid, df) > q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2

print("# df confidence t  (two-sided confidence; t is the (1+confidence)/2 quantile)")
for conf in ("0.8", "0.9", "0.95", "0.99"):
    q = (1 - mp.mpf(conf)) / 2
    for df in range(1, 1001):
        print(df, conf, mp.nstr(quantile(q, mp.mpf(df)), 15))
