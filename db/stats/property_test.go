package stats

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestNeverNaNOrInf feeds every function random, often hostile, inputs and
// checks that no NaN or infinity comes out and that every interval is
// ordered, within its scale, and no wider for display than for comparison.
func TestNeverNaNOrInf(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(2024, 11))
	scales := []Scale{Agreement, Recommend, {3, 3}, {5, 1}, {-1e9, 1e9}, {math.MinInt, math.MaxInt}}
	confidence := func() float64 {
		switch r.IntN(4) {
		case 0:
			return []float64{0, 1, -1, 2, math.NaN(), math.Inf(1), 1e-300, 1e-9, 0.5, math.Nextafter(1, 0)}[r.IntN(10)]
		default:
			return r.Float64()
		}
	}
	ints := func(s Scale) []int {
		values := make([]int, r.IntN(40))
		for i := range values {
			switch r.IntN(10) {
			case 0:
				values[i] = []int{math.MinInt, math.MaxInt, -1, 0, 11, 6}[r.IntN(6)]
			default:
				if s.Max >= s.Min && s.Max-s.Min >= 0 && s.Max-s.Min < 1000 {
					values[i] = s.Min + r.IntN(s.Max-s.Min+1)
				} else {
					values[i] = int(r.Int64())
				}
			}
		}
		return values
	}
	population := func(n int) int {
		return []int{0, -3, 1, n - 1, n, n + 1, n + r.IntN(20), math.MaxInt}[r.IntN(8)]
	}

	var last Interval
	for i := range 20000 {
		s := scales[r.IntN(len(scales))]
		values := ints(s)
		c := confidence()

		mi := MeanInterval(values, s, population(len(values)), c)
		checkInterval(t, "MeanInterval", mi, float64(s.Min), float64(s.Max), s.Max < s.Min)

		n := r.IntN(30) - 2
		successes := r.IntN(35) - 3
		checkInterval(t, "Wilson", Wilson(successes, n, c), 0, 1, false)
		checkInterval(t, "WilsonFinite", WilsonFinite(successes, n, population(n), c), 0, 1, false)
		checkInterval(t, "Favourable", Favourable(values, r.IntN(7), population(len(values)), c), 0, 1, false)

		e := ENPS(ints(Recommend), population(len(values)), c)
		checkInterval(t, "ENPS", e.Interval, -100, 100, false)
		if e.Promoters+e.Passives+e.Detractors != e.N || e.Score != e.Estimate {
			t.Fatalf("ENPS counts or score inconsistent: %+v", e)
		}

		for _, pair := range [][2]Interval{{last, mi}, {mi, mi}, {e.Interval, e.Interval}} {
			ch := Change(pair[0], pair[1], []float64{0, -1, 0.3, math.NaN(), math.Inf(1)}[r.IntN(5)])
			for _, v := range []float64{ch.Difference, ch.Lower, ch.Upper} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("Change(%+v, %+v) = %+v", pair[0], pair[1], ch)
				}
			}
			if ch.Lower > ch.Difference || ch.Difference > ch.Upper {
				t.Fatalf("Change range not ordered: %+v", ch)
			}
			checkText(t, DescribeChange(ch, r.IntN(4)))
		}
		checkText(t, DescribeRange(mi, r.IntN(4)-1))
		last = mi

		floats := make([]float64, r.IntN(10))
		for j := range floats {
			switch r.IntN(5) {
			case 0:
				floats[j] = []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64, 1e-320}[r.IntN(6)]
			default:
				floats[j] = r.NormFloat64() * math.Pow(10, float64(r.IntN(600)-300))
			}
		}
		m := Mean(floats)
		if math.IsNaN(m.Mean) || math.IsInf(m.Mean, 0) || math.IsNaN(m.StdDev) || math.IsInf(m.StdDev, 0) || m.StdDev < 0 {
			t.Fatalf("iteration %d: Mean(%v) = %+v", i, floats, m)
		}
	}
}

// checkInterval fails the test unless iv is finite, ordered, inside [lo, hi]
// (unless the scale is invalid, where nothing can be on it) and its display
// range lies within its comparison margins.
func checkInterval(t *testing.T, fn string, iv Interval, lo, hi float64, invalidScale bool) {
	t.Helper()
	for _, v := range []float64{iv.Estimate, iv.Lower, iv.Upper, iv.MarginBelow, iv.MarginAbove, iv.Confidence} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("%s returned a non-finite number: %+v", fn, iv)
		}
	}
	if !(iv.Lower <= iv.Estimate && iv.Estimate <= iv.Upper) || iv.MarginBelow < 0 || iv.MarginAbove < 0 {
		t.Fatalf("%s returned a disordered interval: %+v", fn, iv)
	}
	if iv.Confidence <= 0 || iv.Confidence >= 1 {
		t.Fatalf("%s recorded confidence %v", fn, iv.Confidence)
	}
	if iv.N > 0 && !invalidScale && (iv.Lower < lo || iv.Upper > hi) {
		t.Fatalf("%s left the scale [%v, %v]: %+v", fn, lo, hi, iv)
	}
	slack := 1e-9 * math.Max(1, math.Abs(iv.Estimate))
	if iv.Estimate-iv.Lower > iv.MarginBelow+slack || iv.Upper-iv.Estimate > iv.MarginAbove+slack {
		t.Fatalf("%s display range wider than its margins: %+v", fn, iv)
	}
	if !iv.HasRange && (iv.Lower != iv.Estimate || iv.Upper != iv.Estimate || iv.MarginBelow != 0 || iv.MarginAbove != 0) {
		t.Fatalf("%s has no range but bounds or margins: %+v", fn, iv)
	}
}

// checkText fails the test if a description mentions NaN or infinity.
func checkText(t *testing.T, s string) {
	t.Helper()
	if s == "" || strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
		t.Fatalf("bad description %q", s)
	}
}
