package stats

import "testing"

func TestDescribeRange(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		iv       Interval
		decimals int
		want     string
	}{
		// 3.6 from 5 of 8: [2.673197, 4.526803] (see TestMeanInterval).
		{"5 of 8", MeanInterval([]int{3, 4, 4, 5, 2}, Agreement, 8, 0.95), 1, "3.6 (likely between 2.7 and 4.5)"},
		{"census", MeanInterval([]int{3, 4, 4, 5, 2}, Agreement, 5, 0.95), 1, "3.6 (everyone answered)"},
		{"all equal", MeanInterval([]int{4, 4, 4, 4, 4}, Agreement, 8, 0.95), 1, "4.0 (all answers the same)"},
		{"n=1", MeanInterval([]int{5}, Agreement, 8, 0.95), 1, "5.0 (too few answers for a range)"},
		{"no answers", MeanInterval(nil, Agreement, 8, 0.95), 1, "no answers"},
		{"hand-made", Interval{Estimate: 3.6, Lower: 3.2, Upper: 4.0, N: 12, HasRange: true}, 1, "3.6 (likely between 3.2 and 4.0)"},
		{"rounds together", Interval{Estimate: 4, Lower: 3.98, Upper: 4.02, N: 400, HasRange: true}, 1, "4.0 (likely very close to this)"},
		// 5 of 5 favourable: Wilson [0.565518, 1] → 57% to 100%.
		{"percent", Wilson(5, 5, 0.95).Percent(), 0, "100 (likely between 57 and 100)"},
		{"negative zero", Interval{Estimate: -0.01, Lower: -0.3, Upper: 0.2, N: 9, HasRange: true}, 1, "0.0 (likely between -0.3 and 0.2)"},
		{"negative decimals", Interval{Estimate: 25, Lower: -30.6, Upper: 66.4, N: 8, HasRange: true}, -2, "25 (likely between -31 and 66)"},
	}
	for _, c := range cases {
		if got := DescribeRange(c.iv, c.decimals); got != c.want {
			t.Errorf("%s: DescribeRange = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestDescribeChange(t *testing.T) {
	t.Parallel()
	cases := []struct {
		c    ChangeVerdict
		want string
	}{
		{ChangeVerdict{Difference: 0.4, Verdict: WithinNormalVariation}, "+0.4 (within normal variation)"},
		{ChangeVerdict{Difference: -0.8, Verdict: Notable}, "-0.8 (notable)"},
		{ChangeVerdict{Difference: 0.04, Verdict: WithinNormalVariation}, "0.0 (within normal variation)"},
		{ChangeVerdict{Difference: -0.04, Verdict: WithinNormalVariation}, "0.0 (within normal variation)"},
		{ChangeVerdict{Difference: 0.2}, "+0.2 (not enough data)"},
	}
	for _, c := range cases {
		if got := DescribeChange(c.c, 1); got != c.want {
			t.Errorf("DescribeChange(%+v) = %q, want %q", c.c, got, c.want)
		}
	}
}
