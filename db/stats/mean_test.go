package stats

import (
	"math"
	"testing"
)

func TestMean(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		values []float64
		want   Summary
	}{
		{"empty", nil, Summary{}},
		{"one value", []float64{4}, Summary{N: 1, Mean: 4}},
		// mean (3+4+4+5+2)/5 = 3.6; squared deviations .36+.16+.16+1.96+2.56 = 5.2;
		// s = √(5.2/4) = √1.3 = 1.140175.
		{"spread", []float64{3, 4, 4, 5, 2}, Summary{N: 5, Mean: 3.6, StdDev: 1.140175}},
		{"all equal", []float64{4, 4, 4, 4}, Summary{N: 4, Mean: 4}},
		// NaN and ±Inf are skipped: what is left is {1, 3}: mean 2, s = √2.
		{"non-finite skipped", []float64{1, math.NaN(), math.Inf(1), 3, math.Inf(-1)}, Summary{N: 2, Mean: 2, StdDev: math.Sqrt2}},
		// Huge values must not overflow: (1e308)² is Inf, but worked in units of
		// 1e308 the mean is 0 and s = √((1² + 1²)/1) · 1e308 = 1.414214e308.
		{"huge", []float64{1e308, -1e308}, Summary{N: 2, Mean: 0, StdDev: math.Sqrt2 * 1e308}},
	}
	for _, c := range cases {
		got := Mean(c.values)
		if got.N != c.want.N || !near(got.Mean, c.want.Mean, 1e-6) || !near(got.StdDev, c.want.StdDev, 1e-6*math.Max(1, c.want.StdDev)) {
			t.Errorf("%s: Mean(%v) = %+v, want %+v", c.name, c.values, got, c.want)
		}
	}
}

// The fixtures below use t = 2.776445 (95%, 4 degrees of freedom) and
// t = 2.131847 (90%, 4 degrees of freedom) from printed tables of Student's t.
func TestMeanInterval(t *testing.T) {
	t.Parallel()
	type want struct {
		est, lower, upper, margin float64
		n, population             int
		hasRange, census          bool
	}
	cases := []struct {
		name       string
		values     []int
		population int
		confidence float64
		want       want
	}{
		// Every member answered: FPC = √((5−5)/(5−1)) = 0, so the display range
		// collapses to the mean 3.6. The change margin keeps the uncorrected
		// t·s/√n = 2.776445 · 1.140175/√5 = 2.776445 · 0.509902 = 1.415715.
		{"census of 5", []int{3, 4, 4, 5, 2}, 5, 0.95,
			want{3.6, 3.6, 3.6, 1.415715, 5, 5, true, true}},
		// 5 of 8 answered: FPC = √((8−5)/(8−1)) = √(3/7) = 0.654654;
		// 3.6 ± 1.415715 · 0.654654 = 3.6 ± 0.926803 → [2.673197, 4.526803].
		{"5 of 8", []int{3, 4, 4, 5, 2}, 8, 0.95,
			want{3.6, 2.673197, 4.526803, 1.415715, 5, 8, true, false}},
		// Same answers at 90%: t = 2.131847; margin 2.131847 · 0.509902 = 1.087033;
		// with FPC 1.087033 · 0.654654 = 0.711630 → [2.888370, 4.311630].
		{"5 of 8 at 90%", []int{3, 4, 4, 5, 2}, 8, 0.90,
			want{3.6, 2.888370, 4.311630, 1.087033, 5, 8, true, false}},
		// Population unknown: no FPC; 3.6 ± 1.415715 → [2.184285, 5.015715],
		// and the upper bound is clamped to the top of the scale, 5.
		{"no population", []int{3, 4, 4, 5, 2}, 0, 0.95,
			want{3.6, 2.184285, 5, 1.415715, 5, 0, true, false}},
		// More answers than members (pooled rounds): treated as unknown.
		{"population below n", []int{3, 4, 4, 5, 2}, 3, 0.95,
			want{3.6, 2.184285, 5, 1.415715, 5, 0, true, false}},
		// All answers equal: s = 0, so the range has zero width (and no NaN).
		{"all equal", []int{4, 4, 4, 4, 4}, 8, 0.95,
			want{4, 4, 4, 0, 5, 8, true, false}},
		{"all 1s", []int{1, 1, 1, 1, 1}, 8, 0.95,
			want{1, 1, 1, 0, 5, 8, true, false}},
		{"all 5s", []int{5, 5, 5, 5, 5}, 8, 0.95,
			want{5, 5, 5, 0, 5, 8, true, false}},
		// Extreme and skewed: mean 1.8, s = √((4·0.8² + 3.2²)/4) = √3.2 = 1.788854,
		// t·s/√5 = 2.776445 · 0.8 = 2.221156 → [−0.421156, 4.021156], and the
		// lower bound is clamped to the bottom of the scale, 1.
		{"clamped low", []int{1, 1, 1, 1, 5}, 0, 0.95,
			want{1.8, 1, 4.021156, 2.221156, 5, 0, true, false}},
		// Mirror image: 4.2 ± 2.221156 → [1.978844, 6.421156], clamped to 5.
		{"clamped high", []int{5, 5, 5, 5, 1}, 0, 0.95,
			want{4.2, 1.978844, 5, 2.221156, 5, 0, true, false}},
		// One answer: no standard deviation, so no range at all.
		{"n=1", []int{4}, 8, 0.95, want{4, 4, 4, 0, 1, 8, false, false}},
		{"no answers", nil, 8, 0.95, want{0, 0, 0, 0, 0, 0, false, false}},
		// Answers off the 1–5 scale are ignored: {4, 4} remains, s = 0.
		{"off scale", []int{0, 4, 6, 4, -3}, 8, 0.95,
			want{4, 4, 4, 0, 2, 8, true, false}},
		// An invalid confidence falls back to DefaultConfidence (95%).
		{"invalid confidence", []int{3, 4, 4, 5, 2}, 8, 1.5,
			want{3.6, 2.673197, 4.526803, 1.415715, 5, 8, true, false}},
	}
	for _, c := range cases {
		got := MeanInterval(c.values, Agreement, c.population, c.confidence)
		w := c.want
		if !near(got.Estimate, w.est, 1e-6) || !near(got.Lower, w.lower, 1e-6) || !near(got.Upper, w.upper, 1e-6) ||
			!near(got.MarginBelow, w.margin, 1e-6) || !near(got.MarginAbove, w.margin, 1e-6) ||
			got.N != w.n || got.Population != w.population || got.HasRange != w.hasRange || got.Census() != w.census {
			t.Errorf("%s: MeanInterval(%v, pop %d, %v) = %+v (census %v), want %+v",
				c.name, c.values, c.population, c.confidence, got, got.Census(), w)
		}
	}
}

func TestMeanIntervalConfidenceRecorded(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want float64 }{
		{0.9, 0.9}, {0, DefaultConfidence}, {1, DefaultConfidence}, {-0.5, DefaultConfidence}, {math.NaN(), DefaultConfidence},
	} {
		if got := MeanInterval([]int{1, 2}, Agreement, 0, c.in).Confidence; got != c.want {
			t.Errorf("confidence %v recorded as %v, want %v", c.in, got, c.want)
		}
	}
}

func TestDistribution(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		values   []int
		min, max int
		want     []int
	}{
		{"agreement", []int{3, 4, 4, 5, 2, 4}, 1, 5, []int{0, 1, 1, 3, 1}},
		{"empty", nil, 1, 5, []int{0, 0, 0, 0, 0}},
		{"off scale ignored", []int{0, 1, 6, 5, -1}, 1, 5, []int{1, 0, 0, 0, 1}},
		{"eNPS scale", []int{0, 10, 10, 7}, 0, 10, []int{1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 2}},
		{"single point", []int{3, 3, 2}, 3, 3, []int{2}},
		{"inverted", []int{3}, 5, 1, nil},
		{"absurdly wide", []int{3}, math.MinInt, math.MaxInt, nil},
	}
	for _, c := range cases {
		got := Distribution(c.values, c.min, c.max)
		if len(got) != len(c.want) || (got == nil) != (c.want == nil) {
			t.Errorf("%s: Distribution = %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: Distribution = %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
}
