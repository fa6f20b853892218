package stats

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// near reports whether got is within tol of want.
func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol
}

func TestTQuantileTable(t *testing.T) {
	t.Parallel()
	// Printed tables of Student's t (two-sided confidence → (1+c)/2 quantile).
	cases := []struct {
		confidence, df, want float64
	}{
		{0.95, 1, 12.706205},
		{0.95, 2, 4.302653},
		{0.95, 3, 3.182446},
		{0.95, 4, 2.776445},
		{0.95, 5, 2.570582},
		{0.95, 10, 2.228139},
		{0.95, 30, 2.042272},
		{0.95, 100, 1.983972},
		{0.95, 1000, 1.962339},
		{0.90, 1, 6.313752},
		{0.90, 4, 2.131847},
		{0.99, 1, 63.656741},
		{0.99, 4, 4.604095},
		{0.99, 30, 2.749996},
		{0.999, 1, 636.619249},
		// Below ½ confidence the central probability is solved instead.
		{0.5, 10, 0.699812},
		{0.2, 4, 0.270722},
		{0.001, 3, 0.00136035},
	}
	for _, c := range cases {
		if got := tQuantile(c.confidence, c.df); !near(got, c.want, 1e-6) {
			t.Errorf("tQuantile(%v, %v) = %.9f, want %.6f", c.confidence, c.df, got, c.want)
		}
	}
}

// TestTQuantileReference checks every df from 1 to 1000 at four confidence
// levels against 30-digit values computed independently with mpmath
// (testdata/student_t.py).
func TestTQuantileReference(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/student_t.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checked, worst := 0, 0.0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			t.Fatalf("bad line %q", line)
		}
		var nums [3]float64
		for i, s := range fields {
			if nums[i], err = strconv.ParseFloat(s, 64); err != nil {
				t.Fatalf("bad line %q: %v", line, err)
			}
		}
		df, confidence, want := nums[0], nums[1], nums[2]
		got := tQuantile(confidence, df)
		// Relative, since t reaches 63.66 at df 1 and 99%; the reference
		// has 15 significant digits.
		rel := math.Abs(got-want) / want
		worst = math.Max(worst, rel)
		if rel > 1e-10 {
			t.Errorf("tQuantile(%v, %v) = %.12g, want %.12g", confidence, df, got, want)
		}
		checked++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if checked != 4000 {
		t.Fatalf("checked %d reference values, want 4000", checked)
	}
	t.Logf("worst relative error over %d values: %.2g", checked, worst)
}

func TestTQuantileLargeDF(t *testing.T) {
	t.Parallel()
	z := normalQuantile(0.95)
	if !near(z, 1.959963984540054, 1e-12) {
		t.Fatalf("normalQuantile(0.95) = %.15f", z)
	}
	// Past cornishFisherDF the expansion is used alone: it must join the
	// refined values smoothly and tend to z.
	below := tQuantile(0.95, cornishFisherDF)
	above := tQuantile(0.95, cornishFisherDF+1)
	if !near(below, above, 1e-9) || above > below {
		t.Errorf("discontinuity at cornishFisherDF: %.15f then %.15f", below, above)
	}
	if got := tQuantile(0.95, 1e9); !near(got, z, 1e-8) {
		t.Errorf("tQuantile(0.95, 1e9) = %.12f, want ≈ z = %.12f", got, z)
	}
}

func TestTQuantileExtremeConfidence(t *testing.T) {
	t.Parallel()
	for _, c := range []float64{1e-300, 1e-9, 0.5, 0.999999999, math.Nextafter(1, 0)} {
		prev := 0.0
		for _, df := range []float64{1, 2, 3, 4, 7, 30, 999, 5e4, 2e5} {
			got := tQuantile(c, df)
			if math.IsNaN(got) || math.IsInf(got, 0) || got < 0 {
				t.Fatalf("tQuantile(%g, %g) = %v", c, df, got)
			}
			if prev != 0 && got > prev*(1+1e-9) {
				t.Errorf("tQuantile(%g, ·) grows with df: %g then %g at df %g", c, prev, got, df)
			}
			prev = got
		}
	}
}
