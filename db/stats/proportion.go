package stats

import "math"

// Wilson returns the proportion successes/n with its Wilson score interval at
// the given confidence (DefaultConfidence if outside (0, 1)), with no
// finite-population correction. successes is clamped into [0, n]; n ≤ 0
// gives an interval with N = 0 and no range.
//
// The bounds are (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n), with z
// the normal quantile. Unlike p ± z·√(p(1−p)/n) they stay inside [0, 1] and
// keep a sensible width at 0 and n successes, where the lower bound is 0 and
// the upper z²/(n+z²) (or, for n successes, n/(n+z²) and 1).
func Wilson(successes, n int, confidence float64) Interval {
	return WilsonFinite(successes, n, 0, confidence)
}

// WilsonFinite is Wilson with the finite-population correction for n answers
// from a team of population members: z is multiplied by √((N−n)/(N−1)),
// which is the same as multiplying the variance p(1−p)/n that the score
// interval inverts by (N−n)/(N−1). The range narrows as the share who
// answered grows and collapses to p when everyone answered. population ≤ 0, or smaller than
// n, means no correction. The margins for comparing periods are the
// uncorrected Wilson interval's.
func WilsonFinite(successes, n, population int, confidence float64) Interval {
	confidence = validConfidence(confidence)
	if n <= 0 {
		return Interval{Confidence: confidence}
	}
	successes = min(max(successes, 0), n)
	p := float64(successes) / float64(n)
	z := normalQuantile(confidence)
	fpc, applied := fpcFactor(n, population)
	lower, upper := wilsonBounds(successes, n, z*fpc)
	lo, hi := wilsonBounds(successes, n, z)
	return Interval{
		Estimate:    p,
		Lower:       lower,
		Upper:       upper,
		MarginBelow: p - lo,
		MarginAbove: hi - p,
		Confidence:  confidence,
		N:           n,
		Population:  applied,
		HasRange:    true,
	}
}

// Favourable returns the share of answers at or above threshold (e.g. 4 and 5
// on the agreement scale) with its Wilson interval, corrected for the
// population as in WilsonFinite. Every value counts towards n; filter answers
// off the scale first. For a question where lower is better, reverse the
// answers (min+max−v) before calling.
func Favourable(values []int, threshold, population int, confidence float64) Interval {
	successes := 0
	for _, v := range values {
		if v >= threshold {
			successes++
		}
	}
	return WilsonFinite(successes, len(values), population, confidence)
}

// wilsonBounds returns the Wilson score interval for successes out of n > 0
// with normal quantile z ≥ 0. Rounding is kept from pushing a bound past the
// proportion or out of [0, 1].
func wilsonBounds(successes, n int, z float64) (lower, upper float64) {
	nf := float64(n)
	p := float64(successes) / nf
	z2 := z * z
	denom := 1 + z2/nf
	centre := (p + z2/(2*nf)) / denom
	half := z / denom * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return clamp(centre-half, 0, p), clamp(centre+half, p, 1)
}
