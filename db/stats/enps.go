package stats

import "math"

// ENPSResult is an employee Net Promoter Score with its counts and range.
type ENPSResult struct {
	// Promoters answered 9 or 10, Passives 7 or 8, Detractors 0 to 6.
	Promoters, Passives, Detractors int
	// Score is % promoters − % detractors, in [−100, 100]; it equals
	// Interval.Estimate.
	Score float64
	// Interval holds Score with its range, in points on the same −100..100
	// scale; N is Promoters+Passives+Detractors.
	Interval
}

// ENPS computes the eNPS of 0–10 answers with a range at the given confidence
// (DefaultConfidence if outside (0, 1)). Answers off the 0–10 scale are
// ignored. population is the team size for the finite-population correction,
// as in MeanInterval (0 for none).
//
// The range is built from a Wilson interval for each share, promoters [lP,
// uP] and detractors [lD, uD], combined by the MOVER method for a difference
// of correlated estimates (Zou & Donner 2008, after Newcombe 1998):
//
//	lower = P − D − √((P−lP)² + (uD−D)² − 2r(P−lP)(uD−D))
//	upper = P − D + √((uP−P)² + (D−lD)² − 2r(uP−P)(D−lD))
//
// in shares, then times 100, where P and D are the observed shares and
// r = −√(PD/((1−P)(1−D))) ≤ 0 is the correlation of the two shares in one
// multinomial sample (−1 when nobody is passive), which widens the range.
// Because Wilson intervals behave at 0% and 100%, so does this one: all
// promoters among 5 gives 100 (likely between 13 and 100) at 95%, where the
// plain Wald interval P − D ± z·√((P+D−(P−D)²)/n) has zero width. With no
// passives it reduces exactly to the Wilson interval of 2P−1. Rocks (2016,
// The American Statistician) compared interval methods for NPS and favoured
// adjusted-Wald variants and a score method over the plain Wald;
// TestENPSCoverage computes this interval's exact coverage, on a par with
// the adjusted Wald's. Unlike that interval, this one takes the
// finite-population correction cleanly: it scales z in both Wilson intervals
// (see WilsonFinite), so the range collapses to the score when everyone
// answered.
func ENPS(scores []int, population int, confidence float64) ENPSResult {
	confidence = validConfidence(confidence)
	var r ENPSResult
	for _, s := range scores {
		switch {
		case s >= 9 && s <= 10:
			r.Promoters++
		case s >= 7 && s <= 8:
			r.Passives++
		case s >= 0 && s <= 6:
			r.Detractors++
		}
	}
	n := r.Promoters + r.Passives + r.Detractors
	r.Interval = Interval{Confidence: confidence, N: n}
	if n == 0 {
		return r
	}
	p := float64(r.Promoters) / float64(n)
	d := float64(r.Detractors) / float64(n)
	score := clamp(100*(p-d), -100, 100)
	z := normalQuantile(confidence)
	fpc, applied := fpcFactor(n, population)
	lower, upper := enpsBounds(r.Promoters, r.Detractors, n, z*fpc)
	lo, hi := enpsBounds(r.Promoters, r.Detractors, n, z)

	r.Score = score
	r.Interval = Interval{
		Estimate:    score,
		Lower:       clamp(lower, -100, score),
		Upper:       clamp(upper, score, 100),
		MarginBelow: math.Max(0, score-lo),
		MarginAbove: math.Max(0, hi-score),
		Confidence:  confidence,
		N:           n,
		Population:  applied,
		HasRange:    true,
	}
	return r
}

// enpsBounds returns the MOVER bounds, in points, of the eNPS of promoters
// and detractors out of n > 0 answers with normal quantile z ≥ 0.
func enpsBounds(promoters, detractors, n int, z float64) (lower, upper float64) {
	p := float64(promoters) / float64(n)
	d := float64(detractors) / float64(n)
	lp, up := wilsonBounds(promoters, n, z)
	ld, ud := wilsonBounds(detractors, n, z)
	r := -1.0 // no passives: P = 1−D exactly
	if v := (1 - p) * (1 - d); v > 0 && promoters+detractors < n {
		r = -math.Min(1, math.Sqrt(p*d/v))
	}
	below := math.Sqrt(mover(p-lp, ud-d, r))
	above := math.Sqrt(mover(up-p, d-ld, r))
	return 100 * (p - d - below), 100 * (p - d + above)
}

// mover returns a² + b² − 2rab, the squared margin of a difference whose two
// terms have margins a and b and correlation r, never negative.
func mover(a, b, r float64) float64 {
	return math.Max(0, a*a+b*b-2*r*a*b)
}
