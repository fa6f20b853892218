package stats

import "testing"

func TestENPS(t *testing.T) {
	t.Parallel()
	z2 := z975 * z975
	// All promoters among 5 (no passives, so r = −1 and the MOVER bound is
	// exactly that of 2P−1): lower = 100·(2·5/(5+z²) − 1) = 100·(5−z²)/(5+z²)
	// = 100 · 1.158541/8.841459 = 13.1035.
	allPromotersLower := 100 * (5 - z2) / (5 + z2)
	cases := []struct {
		name                              string
		scores                            []int
		population                        int
		promoters, passives, detractors   int
		score, lower, upper, below, above float64
	}{
		{"all promoters", []int{9, 10, 9, 10, 10}, 0, 5, 0, 0, 100, allPromotersLower, 100, 100 - allPromotersLower, 0},
		{"all detractors", []int{0, 3, 6, 6, 5}, 0, 0, 0, 5, -100, -100, -allPromotersLower, 0, 100 - allPromotersLower},
		// Everyone in a team of 5 answered: z·0 = 0, the range is the score.
		{"all promoters, census", []int{9, 10, 9, 10, 10}, 5, 5, 0, 0, 100, 100, 100, 100 - allPromotersLower, 0},
		// P = 4/8, D = 2/8, score 25.
		// Wilson(4, 8): centre 0.5, half 1.959964/1.480182 · √(0.25/8 + 3.841459/256)
		//   = 1.324138 · 0.215072 = 0.284785 → [0.215216, 0.784784].
		// Wilson(2, 8): centre (0.25 + 0.240091)/1.480182 = 0.331102, half
		//   1.324138 · √(0.1875/8 + 0.015006) = 0.259625 → [0.071477, 0.590727].
		// r = −√(0.5·0.25/(0.5·0.75)) = −0.577350.
		// lower: a = 0.284784, b = 0.340727, a² + b² − 2rab = 0.309242,
		//   0.25 − √0.309242 = 0.25 − 0.556096 → −30.61.
		// upper: a = 0.284784, b = 0.178523, a² + b² − 2rab = 0.171678,
		//   0.25 + √0.171678 = 0.25 + 0.414340 → 66.43.
		{"mixed", []int{10, 9, 8, 7, 6, 3, 9, 10}, 0, 4, 2, 2, 25, -30.6093, 66.4338, 55.6093, 41.4338},
		// Off-scale answers are ignored: {10, 9, 8} remain.
		{"off scale", []int{11, -1, 10, 9, 8}, 0, 2, 1, 0, 200.0 / 3, -1, -1, -1, -1},
		{"no answers", nil, 8, 0, 0, 0, 0, 0, 0, 0, 0},
	}
	for _, c := range cases {
		got := ENPS(c.scores, c.population, 0.95)
		ok := got.Promoters == c.promoters && got.Passives == c.passives && got.Detractors == c.detractors &&
			got.N == c.promoters+c.passives+c.detractors && near(got.Score, c.score, 1e-9) && got.Estimate == got.Score &&
			got.HasRange == (got.N > 0)
		if c.lower != -1 {
			ok = ok && near(got.Lower, c.lower, 1e-3) && near(got.Upper, c.upper, 1e-3) &&
				near(got.MarginBelow, c.below, 1e-3) && near(got.MarginAbove, c.above, 1e-3)
		}
		if !ok {
			t.Errorf("%s: ENPS(%v, %d) = %+v", c.name, c.scores, c.population, got)
		}
	}
}

// With no passives the eNPS is 2P−1 exactly, and its MOVER interval must be
// the Wilson interval of P mapped the same way.
func TestENPSWithoutPassivesIsWilson(t *testing.T) {
	t.Parallel()
	for promoters := 0; promoters <= 7; promoters++ {
		scores := make([]int, 0, 7)
		for i := range 7 {
			if i < promoters {
				scores = append(scores, 10)
			} else {
				scores = append(scores, 2)
			}
		}
		got := ENPS(scores, 0, 0.9)
		w := Wilson(promoters, 7, 0.9)
		if !near(got.Lower, 100*(2*w.Lower-1), 1e-9) || !near(got.Upper, 100*(2*w.Upper-1), 1e-9) {
			t.Errorf("%d promoters of 7: eNPS range [%v, %v], want [%v, %v]",
				promoters, got.Lower, got.Upper, 100*(2*w.Lower-1), 100*(2*w.Upper-1))
		}
	}
}
