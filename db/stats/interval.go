package stats

import "math"

// DefaultConfidence is the confidence level used when a caller passes one
// outside (0, 1). Summaries say "likely between": 95% is the level readers
// assume, and it errs towards calling fewer changes notable.
const DefaultConfidence = 0.95

// Interval is an estimate with the range it likely lies in. It is what every
// estimator in this package returns and what Change compares.
//
// Lower and Upper are for display: they include the finite-population
// correction when a population was given and are clamped to the scale.
// MarginBelow and MarginAbove are for comparing periods: the distances from
// Estimate to the limits of the same interval without the finite-population
// correction and without clamping (see the package documentation, "Two
// questions, two ranges").
type Interval struct {
	// Estimate is the point estimate: a mean on the question's scale, a
	// proportion in [0, 1], or an eNPS in [−100, 100].
	Estimate float64
	// Lower and Upper bound the range; Lower ≤ Estimate ≤ Upper always.
	// They equal Estimate when HasRange is false.
	Lower, Upper float64
	// MarginBelow and MarginAbove (≥ 0) describe how far the estimate could
	// move from period to period by ordinary variation alone. They are zero
	// when HasRange is false.
	MarginBelow, MarginAbove float64
	// Confidence is the confidence level actually used, e.g. 0.95.
	Confidence float64
	// N is the number of answers the estimate rests on.
	N int
	// Population is the team size used for the finite-population correction,
	// or 0 when none was applied (unknown, or fewer members than answers).
	Population int
	// HasRange is false when there are too few answers to say anything
	// about uncertainty: no answers at all, or a single answer to a
	// question summarized by its mean.
	HasRange bool
}

// Census reports whether every member of the population answered, so that
// Estimate is exact for this period and the display range has zero width.
func (iv Interval) Census() bool {
	return iv.Population > 0 && iv.N == iv.Population
}

// Percent returns the interval with every value multiplied by 100, for
// showing a proportion (e.g. from Wilson or Favourable) as a percentage.
func (iv Interval) Percent() Interval {
	iv.Estimate *= 100
	iv.Lower *= 100
	iv.Upper *= 100
	iv.MarginBelow *= 100
	iv.MarginAbove *= 100
	return iv
}

// Scale is the closed range of whole-number answers a question accepts.
type Scale struct {
	Min, Max int
}

// Agreement is the 1–5 agreement scale of Hearth's pulse questions.
var Agreement = Scale{Min: 1, Max: 5}

// Recommend is the 0–10 likelihood-to-recommend scale of the eNPS question.
var Recommend = Scale{Min: 0, Max: 10}

// Contains reports whether v is an answer on the scale.
func (s Scale) Contains(v int) bool {
	return v >= s.Min && v <= s.Max
}

// validConfidence returns confidence if it lies strictly between 0 and 1,
// otherwise DefaultConfidence.
func validConfidence(confidence float64) float64 {
	if confidence > 0 && confidence < 1 {
		return confidence
	}
	return DefaultConfidence
}

// fpcFactor returns the finite-population correction √((N−n)/(N−1)) for n
// answers from a population of N, and the population it applied: 1 and 0 when
// the population is unknown (≤ 0) or smaller than n, in which case the answers
// cannot be n distinct members drawn from it.
func fpcFactor(n, population int) (factor float64, applied int) {
	if population <= 0 || population < n || n <= 0 {
		return 1, 0
	}
	if population == 1 { // n == 1: a census of one
		return 0, 1
	}
	return math.Sqrt(float64(population-n) / float64(population-1)), population
}

// clamp returns v limited to [lo, hi], and lo for NaN.
func clamp(v, lo, hi float64) float64 {
	switch {
	case v >= hi:
		return hi
	case v >= lo:
		return v
	default:
		return lo
	}
}

// finite returns v with NaN replaced by 0 and infinities by the largest
// finite float of the same sign.
func finite(v float64) float64 {
	switch {
	case math.IsNaN(v):
		return 0
	case math.IsInf(v, 1):
		return math.MaxFloat64
	case math.IsInf(v, -1):
		return -math.MaxFloat64
	}
	return v
}
