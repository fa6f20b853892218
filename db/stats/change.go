package stats

import "math"

// Verdict classifies a change between two periods.
type Verdict int

const (
	// NotEnoughData means one of the periods has no range (too few answers),
	// so nothing can be said about the change. It is the zero value.
	NotEnoughData Verdict = iota
	// WithinNormalVariation means the change is no bigger than the two
	// periods' combined uncertainty (and than any meaningful change given).
	WithinNormalVariation
	// Notable means the change's range excludes zero, or the change is at
	// least the instrument's known meaningful change.
	Notable
)

// String returns the verdict as summaries word it.
func (v Verdict) String() string {
	switch v {
	case WithinNormalVariation:
		return "within normal variation"
	case Notable:
		return "notable"
	default:
		return "not enough data"
	}
}

// ChangeVerdict is the change from one period's estimate to the next, with
// its range and how to read it.
type ChangeVerdict struct {
	// Difference is the current estimate minus the previous one.
	Difference float64
	// Lower and Upper bound the range of the difference. They equal
	// Difference when Verdict is NotEnoughData.
	Lower, Upper float64
	// Verdict says whether the change is worth pointing out.
	Verdict Verdict
	// ExceedsUncertainty reports that the range of the difference excludes 0.
	ExceedsUncertainty bool
	// ExceedsMeaningful reports that |Difference| reached the meaningful
	// change given to Change (never true when none was given).
	ExceedsMeaningful bool
}

// Change compares the current period's estimate with the previous one's. The
// change is Notable when its range excludes zero, or when minimumMeaningful
// is positive and |difference| ≥ minimumMeaningful (a validated instrument's
// known meaningful change, in the estimate's units: scale points for a mean,
// a share in [0, 1] for a proportion, points for eNPS); otherwise it is
// WithinNormalVariation. When either period has no range, or either interval
// holds a non-finite number, the verdict is NotEnoughData.
//
// The range of the difference combines the two periods' margins, which leave
// out the finite-population correction (see doc.go), by the MOVER method
// (Zou & Donner 2008; Newcombe 1998 for proportions):
//
//	lower = d − √(cur.MarginBelow² + prev.MarginAbove²)
//	upper = d + √(cur.MarginAbove² + prev.MarginBelow²)
//
// For two t intervals with the same t this is d ± t·√(se₁² + se₂²); for
// Wilson and eNPS intervals it respects their asymmetry near the ends of the
// scale. Periods are treated as independent samples: answers cannot be
// linked across rounds, and where the same people answer both, the true
// uncertainty of the difference is smaller, so the verdict errs towards
// "within normal variation". Compare intervals at the same confidence.
func Change(prev, cur Interval, minimumMeaningful float64) ChangeVerdict {
	if !prev.HasRange || !cur.HasRange || !allFinite(prev) || !allFinite(cur) {
		d := 0.0
		if prev.N > 0 && cur.N > 0 && allFinite(prev) && allFinite(cur) {
			d = finite(cur.Estimate - prev.Estimate)
		}
		return ChangeVerdict{Difference: d, Lower: d, Upper: d}
	}
	d := finite(cur.Estimate - prev.Estimate)
	c := ChangeVerdict{
		Difference: d,
		Lower:      finite(d - math.Hypot(cur.MarginBelow, prev.MarginAbove)),
		Upper:      finite(d + math.Hypot(cur.MarginAbove, prev.MarginBelow)),
	}
	c.ExceedsUncertainty = c.Lower > 0 || c.Upper < 0
	if minimumMeaningful > 0 && !math.IsInf(minimumMeaningful, 1) {
		// A small tolerance keeps 4.1−3.6 = 0.49999… from missing 0.5.
		c.ExceedsMeaningful = math.Abs(d) >= minimumMeaningful*(1-1e-9)
	}
	c.Verdict = WithinNormalVariation
	if c.ExceedsUncertainty || c.ExceedsMeaningful {
		c.Verdict = Notable
	}
	return c
}

// allFinite reports whether every number in iv is finite.
func allFinite(iv Interval) bool {
	for _, v := range []float64{iv.Estimate, iv.Lower, iv.Upper, iv.MarginBelow, iv.MarginAbove} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
