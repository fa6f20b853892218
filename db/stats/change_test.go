package stats

import (
	"math"
	"testing"
)

func TestChange(t *testing.T) {
	t.Parallel()
	mean := func(values []int, population int) Interval {
		return MeanInterval(values, Agreement, population, 0.95)
	}
	cases := []struct {
		name                  string
		prev, cur             Interval
		meaningful            float64
		diff, lower, upper    float64
		verdict               Verdict
		byUncertainty, byMean bool
	}{
		// 3.6 → 4.0 among 5 of 8. Margins (no FPC): prev 2.776445 · 1.140175/√5
		// = 1.415715; cur s = √(2/4) = 0.707107, 2.776445 · 0.316228 = 0.877989.
		// √(0.877989² + 1.415715²) = 1.665865 → 0.4 ± 1.665865.
		{"small rise", mean([]int{3, 4, 4, 5, 2}, 8), mean([]int{4, 4, 4, 5, 3}, 8), 0,
			0.4, -1.265865, 2.065865, WithinNormalVariation, false, false},
		// Two census weeks of a team of 5: both display ranges have zero width,
		// yet one person moving from 4 to 3 is not notable. prev margins are 0
		// (all 4s); cur s = √(0.8/4) = 0.447214, margin 2.776445 · 0.2 = 0.555289.
		{"census wiggle", mean([]int{4, 4, 4, 4, 4}, 5), mean([]int{4, 4, 4, 4, 3}, 5), 0,
			-0.2, -0.755289, 0.355289, WithinNormalVariation, false, false},
		// Everyone moved from 4 to 2: no spread either week, the difference is −2.
		{"everyone dropped", mean([]int{4, 4, 4, 4, 4}, 8), mean([]int{2, 2, 2, 2, 2}, 8), 0,
			-2, -2, -2, Notable, true, false},
		// The same small rise, with an instrument whose meaningful change is 0.4.
		{"meaningful reached", mean([]int{3, 4, 4, 5, 2}, 8), mean([]int{4, 4, 4, 5, 3}, 8), 0.4,
			0.4, -1.265865, 2.065865, Notable, false, true},
		{"meaningful not reached", mean([]int{3, 4, 4, 5, 2}, 8), mean([]int{4, 4, 4, 5, 3}, 8), 0.5,
			0.4, -1.265865, 2.065865, WithinNormalVariation, false, false},
		// A clear fall: 4.6 → 2.0, margins 2.776445 · 0.547723/√5 = 0.680074 and
		// 2.776445 · 0.707107/√5 = 0.877989; √(0.877989² + 0.680074²) = 1.110570.
		{"clear fall", mean([]int{5, 5, 4, 4, 5}, 8), mean([]int{2, 1, 2, 3, 2}, 8), 0,
			-2.6, -3.710570, -1.489430, Notable, true, false},
		// Favourable 1 of 8 → 7 of 8, from asymmetric Wilson margins.
		// Wilson(1, 8): 1 + z²/8 = 1.480182, centre (0.125 + 0.240091)/1.480182
		// = 0.246653, half 1.324138 · √(0.109375/8 + 3.841459/256) = 1.324138 ·
		// 0.169345 = 0.224235 → [0.022417, 0.470888]; Wilson(7, 8) is its
		// mirror image, [0.529112, 0.977583].
		// lower = 0.75 − √((0.875 − 0.529112)² + (0.470888 − 0.125)²)
		//       = 0.75 − √2 · 0.345888 = 0.260840.
		// upper = 0.75 + √((0.977583 − 0.875)² + (0.125 − 0.022417)²)
		//       = 0.75 + √2 · 0.102583 = 0.895074.
		{"favourable jump", Wilson(1, 8, 0.95), Wilson(7, 8, 0.95), 0,
			0.75, 0.260840, 0.895074, Notable, true, false},
		// A single answer has no range, so nothing is said.
		{"too few", mean([]int{4}, 8), mean([]int{2, 2, 3, 2, 2}, 8), 0,
			-1.8, -1.8, -1.8, NotEnoughData, false, false},
		{"no answers", mean(nil, 8), mean([]int{2, 2, 3, 2, 2}, 8), 0,
			0, 0, 0, NotEnoughData, false, false},
		{"NaN input", Interval{Estimate: math.NaN(), HasRange: true, N: 5}, mean([]int{2, 2, 3, 2, 2}, 8), 0,
			0, 0, 0, NotEnoughData, false, false},
		// A non-finite meaningful change is ignored.
		{"infinite meaningful", mean([]int{3, 4, 4, 5, 2}, 8), mean([]int{4, 4, 4, 5, 3}, 8), math.Inf(1),
			0.4, -1.265865, 2.065865, WithinNormalVariation, false, false},
	}
	for _, c := range cases {
		got := Change(c.prev, c.cur, c.meaningful)
		if !near(got.Difference, c.diff, 1e-9) || !near(got.Lower, c.lower, 1e-5) || !near(got.Upper, c.upper, 1e-5) ||
			got.Verdict != c.verdict || got.ExceedsUncertainty != c.byUncertainty || got.ExceedsMeaningful != c.byMean {
			t.Errorf("%s: Change = %+v", c.name, got)
		}
	}
}

func TestVerdictString(t *testing.T) {
	t.Parallel()
	for v, want := range map[Verdict]string{
		NotEnoughData:         "not enough data",
		WithinNormalVariation: "within normal variation",
		Notable:               "notable",
		Verdict(42):           "not enough data",
	} {
		if got := v.String(); got != want {
			t.Errorf("Verdict(%d).String() = %q, want %q", int(v), got, want)
		}
	}
}
