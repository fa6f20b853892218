package stats

import "testing"

// z975 is the standard normal 0.975 quantile (95% two-sided), from tables;
// z975² = 3.841459.
const z975 = 1.959964

func TestWilson(t *testing.T) {
	t.Parallel()
	z2 := z975 * z975
	cases := []struct {
		name                             string
		successes, n, population         int
		want, lower, upper, below, above float64
		hasRange                         bool
	}{
		// 0 successes: p = 0, so the centre (z²/2n)/(1+z²/n) equals the half
		// width and the bounds are 0 and z²/(n+z²) = 3.841459/8.841459 = 0.434482.
		{"0 of 5", 0, 5, 0, 0, 0, z2 / (5 + z2), 0, z2 / (5 + z2), true},
		// n successes mirror it: n/(n+z²) = 5/8.841459 = 0.565518, and 1.
		{"5 of 5", 5, 5, 0, 1, 5 / (5 + z2), 1, 1 - 5/(5+z2), 0, true},
		// 3 of 5: centre (0.6 + 3.841459/10)/(1 + 3.841459/5) = 0.984146/1.768292
		// = 0.556552; half 1.959964/1.768292 · √(0.24/5 + 3.841459/100)
		// = 1.108394 · 0.293964 = 0.325828 → [0.230724, 0.882379].
		{"3 of 5", 3, 5, 0, 0.6, 0.230724, 0.882379, 0.6 - 0.230724, 0.882379 - 0.6, true},
		// Newcombe (1998, Stat Med 17:857) lists the Wilson 95%
		// intervals 0.2553–0.3662 for 81/263 and 0.0061–0.1718 for 1/29.
		{"81 of 263", 81, 263, 0, 81.0 / 263, 0.2553, 0.3662, 81.0/263 - 0.2553, 0.3662 - 81.0/263, true},
		{"1 of 29", 1, 29, 0, 1.0 / 29, 0.0061, 0.1718, 1.0/29 - 0.0061, 0.1718 - 1.0/29, true},
		// 0 of 5 from a team of 8: z becomes z·√(3/7), z² = 3.841459 · 3/7 =
		// 1.646340, so the upper bound is 1.646340/6.646340 = 0.247706; the
		// change margin stays the uncorrected 0.434482.
		{"0 of 5 of 8", 0, 5, 8, 0, 0, 0.247706, 0, z2 / (5 + z2), true},
		// Everyone answered: z·0 = 0 and the range collapses to p.
		{"5 of 5 of 5", 5, 5, 5, 1, 1, 1, 1 - 5/(5+z2), 0, true},
		{"2 of 5 of 5", 2, 5, 5, 0.4, 0.4, 0.4, -1, -1, true},
		// Out-of-range counts are clamped into [0, n].
		{"negative successes", -2, 5, 0, 0, 0, z2 / (5 + z2), 0, z2 / (5 + z2), true},
		{"too many successes", 9, 5, 0, 1, 5 / (5 + z2), 1, 1 - 5/(5+z2), 0, true},
		{"n = 0", 0, 0, 8, 0, 0, 0, 0, 0, false},
	}
	for _, c := range cases {
		got := WilsonFinite(c.successes, c.n, c.population, 0.95)
		tol := 1e-5
		if c.name == "81 of 263" || c.name == "1 of 29" {
			tol = 5e-5 // the paper rounds to 4 places
		}
		ok := near(got.Estimate, c.want, 1e-9) && near(got.Lower, c.lower, tol) && near(got.Upper, c.upper, tol) &&
			got.HasRange == c.hasRange && got.Confidence == 0.95
		if c.below >= 0 { // -1: not checked
			ok = ok && near(got.MarginBelow, c.below, tol) && near(got.MarginAbove, c.above, tol)
		}
		if !ok {
			t.Errorf("%s: WilsonFinite(%d, %d, %d, 0.95) = %+v", c.name, c.successes, c.n, c.population, got)
		}
		if c.population == 0 {
			if plain := Wilson(c.successes, c.n, 0.95); plain != got {
				t.Errorf("%s: Wilson = %+v, WilsonFinite with no population = %+v", c.name, plain, got)
			}
		}
	}
}

func TestFavourable(t *testing.T) {
	t.Parallel()
	z2 := z975 * z975
	// 4 and 5 are favourable: 3 of {5, 4, 3, 4, 2}. Same as Wilson(3, 5).
	got := Favourable([]int{5, 4, 3, 4, 2}, 4, 0, 0.95)
	if want := Wilson(3, 5, 0.95); got != want {
		t.Errorf("Favourable = %+v, want %+v", got, want)
	}
	// All favourable among 5 of a team of 8: p = 1, lower bound with
	// z² = 3.841459 · 3/7 = 1.646340 is 5/6.646340 = 0.752294.
	got = Favourable([]int{5, 5, 4, 4, 5}, 4, 8, 0.95)
	if !near(got.Estimate, 1, 1e-12) || !near(got.Lower, 5/(5+z2*3/7), 1e-5) || got.Upper != 1 || got.Population != 8 {
		t.Errorf("Favourable all = %+v", got)
	}
	if got := Favourable(nil, 4, 8, 0.95); got.N != 0 || got.HasRange {
		t.Errorf("Favourable(nil) = %+v", got)
	}
}
