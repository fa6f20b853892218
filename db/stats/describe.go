package stats

import (
	"strconv"
	"strings"
)

// DescribeRange words an interval for a summary, rounding to decimals places:
//
//	3.6 (likely between 3.2 and 4.0)
//	3.6 (everyone answered)              // a census: the value is exact
//	4.0 (all answers the same)           // zero spread among some of the team
//	5.0 (too few answers for a range)    // a single answer
//	no answers
//
// For a proportion, call it on iv.Percent(). "Likely" stands for the
// interval's confidence level.
func DescribeRange(iv Interval, decimals int) string {
	est := formatNumber(iv.Estimate, decimals)
	switch {
	case iv.N == 0:
		return "no answers"
	case !iv.HasRange:
		return est + " (too few answers for a range)"
	case iv.Census():
		return est + " (everyone answered)"
	case iv.Lower == iv.Upper:
		return est + " (all answers the same)"
	}
	lo, hi := formatNumber(iv.Lower, decimals), formatNumber(iv.Upper, decimals)
	if lo == hi {
		return est + " (likely very close to this)"
	}
	return est + " (likely between " + lo + " and " + hi + ")"
}

// DescribeChange words a change for a summary, rounding to decimals places:
//
//	+0.4 (within normal variation)
//	-0.8 (notable)
//	+0.2 (not enough data)
func DescribeChange(c ChangeVerdict, decimals int) string {
	d := formatNumber(c.Difference, decimals)
	if c.Difference > 0 && strings.Trim(d, "0.") != "" {
		d = "+" + d
	}
	return d + " (" + c.Verdict.String() + ")"
}

// formatNumber formats v with decimals places (0 if negative), never as a
// negative zero.
func formatNumber(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', max(decimals, 0), 64)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	return s
}
