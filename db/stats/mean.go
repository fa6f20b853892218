package stats

import "math"

// Summary describes a set of numbers by its size, mean and spread.
type Summary struct {
	// N is the number of finite values summarized.
	N int
	// Mean is their arithmetic mean, or 0 when N is 0.
	Mean float64
	// StdDev is the sample standard deviation (divisor N−1), or 0 when N < 2.
	StdDev float64
}

// Mean summarizes values by their count, mean and sample standard deviation.
// NaN and infinite values are skipped, so they never turn the result into
// NaN; N reports how many values were used.
func Mean(values []float64) Summary {
	n, maxAbs := 0, 0.0
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			n++
			maxAbs = math.Max(maxAbs, math.Abs(v))
		}
	}
	if n == 0 {
		return Summary{}
	}
	// Huge values are worked in units of the largest one, so that neither
	// the sum nor the squares can overflow. Survey answers never need it.
	unit := 1.0
	if maxAbs > 1e100 {
		unit = maxAbs
	}
	var sum float64
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			sum += v / unit
		}
	}
	mean := sum / float64(n)
	var squares float64
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			d := v/unit - mean
			squares += d * d
		}
	}
	s := Summary{N: n, Mean: finite(mean * unit)}
	if n > 1 {
		s.StdDev = finite(math.Sqrt(squares/float64(n-1)) * unit)
	}
	return s
}

// MeanInterval returns the mean of the answers on scale with a Student t
// interval at the given confidence (DefaultConfidence if outside (0, 1)).
//
// population is the number of team members who could have answered. When it
// is known, the display range is narrowed by the finite-population correction
// √((N−n)/(N−1)): with every member answering it collapses to the mean. Pass
// 0 when the team size is unknown, and also when the answers are pooled over
// several rounds (a rolling window), where one person may have answered more
// than once; a population smaller than n is treated the same way.
//
// The range is mean ± t·s/√n·FPC with t the (1+confidence)/2 quantile of
// Student's t on n−1 degrees of freedom, clamped to the scale. Answers off
// the scale are ignored; N counts the rest. All-equal answers give a zero
// standard deviation and so a zero-width range. A single answer has no
// range: HasRange is false.
func MeanInterval(values []int, scale Scale, population int, confidence float64) Interval {
	confidence = validConfidence(confidence)
	answers := make([]float64, 0, len(values))
	for _, v := range values {
		if scale.Contains(v) {
			answers = append(answers, float64(v))
		}
	}
	s := Mean(answers)
	fpc, applied := fpcFactor(s.N, population)
	iv := Interval{
		Estimate:   s.Mean,
		Lower:      s.Mean,
		Upper:      s.Mean,
		Confidence: confidence,
		N:          s.N,
		Population: applied,
	}
	if s.N < 2 {
		return iv
	}
	margin := finite(tQuantile(confidence, float64(s.N-1)) * s.StdDev / math.Sqrt(float64(s.N)))
	lo, hi := float64(scale.Min), float64(scale.Max)
	iv.Lower = clamp(s.Mean-fpc*margin, lo, s.Mean)
	iv.Upper = clamp(s.Mean+fpc*margin, s.Mean, hi)
	iv.MarginBelow, iv.MarginAbove = margin, margin
	iv.HasRange = true
	return iv
}
