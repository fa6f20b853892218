package chart

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	xdraw "golang.org/x/image/draw"
)

var agreement = map[float64]string{
	1: "Strongly disagree", 2: "Disagree", 3: "Neutral", 4: "Agree", 5: "Strongly agree",
}

// weekLabel names round i of n, counting back weekly from Nov 21.
func weekLabel(i, n int) string {
	months := []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	day := 325 - 7*(n-1-i) // day of year of Nov 21 is 325
	for day < 1 {
		day += 365
	}
	lens := []int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	m := 0
	for day > lens[m] {
		day -= lens[m]
		m++
	}
	return fmt.Sprintf("%s %d", months[m], day)
}

// sample is a realistic chart: nseries questions over n rounds on a 1–5
// scale, with intervals and a few suppressed rounds.
func sample(n, nseries int) Chart {
	names := []string{"Energy at work", "Workload is manageable", "Feel recognized",
		"Can switch off after work", "Support after hard cases", "Work matters"}
	c := Chart{
		Title:       "Nurses North · key scores",
		Subtitle:    fmt.Sprintf("Team average per round (1–5), shaded = likely range · last %d rounds", n),
		YMin:        1,
		YMax:        5,
		YTickLabels: agreement,
	}
	for s := range nseries {
		ser := Series{Label: names[s%len(names)]}
		for i := range n {
			v := 3.4 + 0.5*math.Sin(float64(i)*0.55+float64(s)*1.7) + 0.15*float64(s%3) - 0.2
			p := Point{Label: weekLabel(i, n), Value: v, Low: v - 0.35, High: v + 0.35}
			if (i+2*s)%9 == 4 {
				p = Point{Label: p.Label, Missing: true}
			}
			ser.Points = append(ser.Points, p)
		}
		c.Series = append(c.Series, ser)
	}
	return c
}

func decode(t testing.TB, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode PNG: %v", err)
	}
	if got := img.Bounds(); got != image.Rect(0, 0, Width, Height) {
		t.Fatalf("bounds = %v, want %dx%d", got, Width, Height)
	}
	return img
}

func TestRenderDecodesWithExpectedSize(t *testing.T) {
	b, err := RenderPNG(sample(12, 4))
	if err != nil {
		t.Fatal(err)
	}
	decode(t, b)

	var buf bytes.Buffer
	if err := Render(&buf, sample(12, 4)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), b) {
		t.Error("Render and RenderPNG differ")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("disk full") }

func TestRenderReportsWriteError(t *testing.T) {
	if err := Render(failWriter{}, sample(3, 1)); err == nil {
		t.Fatal("want an error from a failing writer")
	}
}

func TestDeterministic(t *testing.T) {
	c := sample(20, 5)
	want, err := RenderPNG(c)
	if err != nil {
		t.Fatal(err)
	}
	// Also concurrently: renders share parsed fonts but nothing mutable.
	var wg sync.WaitGroup
	got := make([][]byte, 8)
	for i := range got {
		wg.Go(func() {
			got[i], _ = RenderPNG(c)
		})
	}
	wg.Wait()
	for i, g := range got {
		if !bytes.Equal(g, want) {
			t.Fatalf("render %d differs from the first", i)
		}
	}
}

// neutral reports whether a pixel is a grey (white, text, gridlines): every
// series colour and band tint has r != g or g != b.
func neutral(c color.RGBA) bool { return c.R == c.G && c.G == c.B }

// columnColours returns the non-neutral pixels of the plot area in the columns
// x-halfW..x+halfW (axis and labels excluded).
func columnColours(img *image.RGBA, pl *plot, x float64, halfW int) []color.RGBA {
	var out []color.RGBA
	xi := int(math.Round(x))
	for px := xi - halfW; px <= xi+halfW; px++ {
		for py := int(pl.top) - 20; py < int(pl.bottom)-2; py++ {
			if c := img.RGBAAt(px, py); !neutral(c) {
				out = append(out, c)
			}
		}
	}
	return out
}

func TestMissingPointLeavesAGap(t *testing.T) {
	pts := func(missing bool) []Point {
		var ps []Point
		for i, v := range []float64{2, 4, 3, 2, 4} {
			ps = append(ps, Point{Label: weekLabel(i, 5), Value: v, Low: v - 0.5, High: v + 0.5})
		}
		ps[2].Missing = missing
		return ps
	}
	base := Chart{Title: "Gap", YMin: 1, YMax: 5, Series: []Series{{Label: "Energy", Points: pts(false)}}}

	// Control: without the gap, the column at round 2 crosses the line, the
	// band and the marker.
	img, pl, err := drawChart(base)
	if err != nil {
		t.Fatal(err)
	}
	if got := columnColours(img, pl, pl.xs[2], 3); len(got) == 0 {
		t.Fatal("control: expected series colour at round 2 when it is present")
	}

	gap := base
	gap.Series = []Series{{Label: "Energy", Points: pts(true)}}
	img, pl, err = drawChart(gap)
	if err != nil {
		t.Fatal(err)
	}
	// The suppressed round's column is empty: no marker, no line from round
	// 1 to round 3 (as interpolation would draw), no band.
	if got := columnColours(img, pl, pl.xs[2], 3); len(got) != 0 {
		t.Errorf("column at the missing round has %d coloured pixels, e.g. %v; want none", len(got), got[0])
	}
	// Nor anything halfway to the neighbours, where a segment would pass.
	for _, x := range []float64{(pl.xs[1] + pl.xs[2]) / 2, (pl.xs[2] + pl.xs[3]) / 2} {
		if got := columnColours(img, pl, x, 1); len(got) != 0 {
			t.Errorf("column at x=%.0f next to the missing round has coloured pixels; want none", x)
		}
	}
	// The other rounds are still drawn.
	for _, i := range []int{0, 1, 3, 4} {
		if got := columnColours(img, pl, pl.xs[i], 1); len(got) == 0 {
			t.Errorf("round %d: no series colour", i)
		}
	}
}

func TestMissingInOneSeriesOnly(t *testing.T) {
	c := Chart{YMin: 1, YMax: 5, Series: []Series{
		{Label: "A", Points: []Point{{Value: 2}, {Value: 2}, {Missing: true}, {Value: 2}}},
		{Label: "B", Points: []Point{{Value: 4}, {Value: 4}, {Value: 4}, {Value: 4}}},
	}}
	img, pl, err := drawChart(c)
	if err != nil {
		t.Fatal(err)
	}
	a, b := seriesColour(0), seriesColour(1)
	var sawA, sawB bool
	for _, px := range columnColours(img, pl, pl.xs[2], 2) {
		sawA = sawA || px == a
		sawB = sawB || px == b
	}
	if sawA {
		t.Error("series A drawn at its missing round")
	}
	if !sawB {
		t.Error("series B missing at a round where it has a value")
	}
}

func countColours(img *image.RGBA) map[color.RGBA]int {
	n := map[color.RGBA]int{}
	for y := range Height {
		for x := range Width {
			n[img.RGBAAt(x, y)]++
		}
	}
	return n
}

func TestSeriesColoursAppear(t *testing.T) {
	img, _, err := drawChart(sample(12, len(palette)))
	if err != nil {
		t.Fatal(err)
	}
	n := countColours(img)
	for i, col := range palette {
		if n[col] < 300 {
			t.Errorf("series %d colour %v: %d pixels, want a visible line", i, col, n[col])
		}
	}
	// The palette is distinct.
	for i := range palette {
		for j := range i {
			if palette[i] == palette[j] {
				t.Errorf("palette colours %d and %d are equal", i, j)
			}
		}
	}
}

func TestAllMissingDrawsNoData(t *testing.T) {
	c := sample(8, 3)
	for s := range c.Series {
		for i := range c.Series[s].Points {
			c.Series[s].Points[i].Missing = true
		}
	}
	img, pl, err := drawChart(c)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range pl.xs {
		if got := columnColours(img, pl, x, 2); len(got) != 0 {
			t.Errorf("round %d: coloured pixels in an all-missing chart", i)
		}
	}
}

func TestValuesAtScaleLimitsAreWhole(t *testing.T) {
	c := Chart{YMin: 1, YMax: 5, Series: []Series{{Label: "Edge", Points: []Point{
		{Value: 1}, {Value: 5}, {Value: 1}, {Value: 5},
	}}}}
	img, pl, err := drawChart(c)
	if err != nil {
		t.Fatal(err)
	}
	col := seriesColour(0)
	// The top marker's uppermost pixels lie above the top gridline, the
	// bottom marker's below the axis: markers are not clipped to the plot.
	above, below := false, false
	for x := int(pl.xs[1]) - 3; x <= int(pl.xs[1])+3; x++ {
		above = above || img.RGBAAt(x, int(pl.top)-4) == col
	}
	for x := int(pl.xs[0]) - 3; x <= int(pl.xs[0])+3; x++ {
		below = below || img.RGBAAt(x, int(pl.bottom)+4) == col
	}
	if !above || !below {
		t.Errorf("markers at the scale limits clipped: above=%v below=%v", above, below)
	}
}

func TestEdgeCases(t *testing.T) {
	long := strings.Repeat("Supervision and support after difficult cases ", 6)
	many := sample(52, 6)
	many.Series = append(many.Series, sample(52, 6).Series...) // 12 series
	single := Chart{Title: "One round", YMin: 1, YMax: 5, Series: []Series{{Label: "Energy", Points: []Point{{Label: "Nov 7", Value: 3.6, Low: 3.1, High: 4.1}}}}}
	cases := map[string]Chart{
		"zero value":       {},
		"zero series":      {Title: "Nurses North", Subtitle: "Trend", YMin: 1, YMax: 5, YTickLabels: agreement},
		"empty series":     {Series: []Series{{Label: "Energy"}, {}}},
		"single point":     single,
		"all missing":      {YMin: 1, YMax: 5, Series: []Series{{Label: "A", Points: []Point{{Missing: true}, {Missing: true}}}}},
		"isolated points":  {YMin: 1, YMax: 5, Series: []Series{{Label: "A", Points: []Point{{Value: 2, Low: 1.5, High: 2.5}, {Missing: true}, {Value: 3, Low: 2, High: 4}, {Missing: true}, {Value: 4}}}}},
		"limits":           {YMin: 1, YMax: 5, Series: []Series{{Label: "A", Points: []Point{{Value: 1, Low: 0.5, High: 1.5}, {Value: 5, Low: 4.2, High: 5.8}}}}},
		"52 rounds":        sample(52, 5),
		"12 series":        many,
		"long labels":      {Title: long, Subtitle: long, YMin: 1, YMax: 5, YTickLabels: map[float64]string{1: long, 5: long}, Series: []Series{{Label: long, Points: []Point{{Label: long, Value: 2}, {Label: long, Value: 3}}}, {Label: long, Points: []Point{{Value: 4}}}}},
		"no scale":         {Series: []Series{{Label: "A", Points: []Point{{Value: 12}, {Value: 47}, {Value: 30}}}}},
		"flat auto scale":  {Series: []Series{{Label: "A", Points: []Point{{Value: 0}, {Value: 0}}}}},
		"reversed scale":   {YMin: 5, YMax: 1, Series: []Series{{Label: "A", Points: []Point{{Value: 2}, {Value: 4}}}}},
		"out of scale":     {YMin: 1, YMax: 5, Series: []Series{{Label: "A", Points: []Point{{Value: -3}, {Value: 9}}}}},
		"enps":             {YMin: -100, YMax: 100, Series: []Series{{Label: "eNPS", Points: []Point{{Value: 20, Low: -10, High: 45}, {Missing: true}, {Value: 35, Low: 0, High: 60}}}}},
		"ticks only":       {YTickLabels: map[float64]string{0: "0", 10: "10", 5: "5"}, Series: []Series{{Label: "A"}}},
		"dense ticks":      {YMin: 0, YMax: 10, YTickLabels: map[float64]string{0: "0", 1: "1", 2: "2", 3: "3", 4: "4", 5: "5", 6: "6", 7: "7", 8: "8", 9: "9", 10: "10"}, Series: []Series{{Label: "A", Points: []Point{{Value: 7}}}}},
		"ticks outside":    {YMin: 1, YMax: 5, YTickLabels: map[float64]string{-4: "x", 100: "y", math.NaN(): "z"}, Series: []Series{{Points: []Point{{Value: 3}}}}},
		"non-finite":       {YMin: math.NaN(), YMax: math.Inf(1), Series: []Series{{Label: "A", Points: []Point{{Value: math.NaN()}, {Value: math.Inf(-1)}, {Value: 3, Low: math.NaN(), High: 4}, {Value: 2}}}}},
		"huge values":      {Series: []Series{{Label: "A", Points: []Point{{Value: -math.MaxFloat64}, {Value: math.MaxFloat64}, {Value: 1e300}}}}},
		"reversed band":    {YMin: 1, YMax: 5, Series: []Series{{Label: "A", Points: []Point{{Value: 3, Low: 4, High: 2}, {Value: 3, Low: 4, High: 2}}}}},
		"ragged lengths":   {YMin: 1, YMax: 5, Series: []Series{{Label: "A", Points: []Point{{Value: 3}}}, {Label: "B", Points: []Point{{Value: 2, Label: "w1"}, {Value: 4, Label: "w2"}, {Value: 3, Label: "w3"}}}}},
		"control chars":    {Title: "Line\none\ttab\x00", Series: []Series{{Label: "😀 émoji ✓\n", Points: []Point{{Label: "\n", Value: 1}, {Value: 2}}}}},
		"200 rounds":       {YMin: 1, YMax: 5, Series: []Series{{Label: "A", Points: make([]Point, 200)}}},
		"blank everything": {Series: []Series{{Points: []Point{{}, {}}}}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			b, err := RenderPNG(c)
			if err != nil {
				t.Fatal(err)
			}
			decode(t, b)
		})
	}
}

func TestFit(t *testing.T) {
	if err := loadFonts(); err != nil {
		t.Fatal(err)
	}
	f, err := newFace(fontRegular, labelSize)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.fit("Energy", 500); got != "Energy" {
		t.Errorf("short label changed: %q", got)
	}
	long := "Supervision and support after difficult cases"
	got := f.fit(long, 200)
	if !strings.HasSuffix(got, "…") || f.width(got) > 200 || utf8.RuneCountInString(got) < 5 {
		t.Errorf("fit(long, 200) = %q (%d px)", got, f.width(got))
	}
	if got := f.fit(long, 1); got != "" {
		t.Errorf("fit(long, 1) = %q, want empty", got)
	}
	if got := clean("a\n\tb  c\x00"); got != "a b c" {
		t.Errorf("clean = %q", got)
	}
}

func TestTicks(t *testing.T) {
	lo, hi, _ := scale(Chart{Series: []Series{{Points: []Point{{Value: 12}, {Value: 47}}}}})
	if lo != 10 || hi != 50 {
		t.Errorf("auto scale = [%v, %v], want [10, 50]", lo, hi)
	}
	var labels []string
	for _, tk := range yTicks(Chart{}, 1, 5, true) {
		labels = append(labels, tk.label)
	}
	if got := strings.Join(labels, ","); got != "1,2,3,4,5" {
		t.Errorf("ticks 1..5 = %s", got)
	}
	labels = labels[:0]
	for _, tk := range yTicks(Chart{}, 0, 1, true) {
		labels = append(labels, tk.label)
	}
	if got := strings.Join(labels, ","); got != "0.0,0.2,0.4,0.6,0.8,1.0" {
		t.Errorf("ticks 0..1 = %s", got)
	}
}

// TestWriteSample always writes sample charts to a temp dir; with
// HEARTH_CHART_SAMPLE set it also writes /tmp/hearth-chart-sample.png (or the
// .png path the variable names), plus a Slack-sized thumbnail and edge cases
// next to it, for a human to look at.
func TestWriteSample(t *testing.T) {
	dir := t.TempDir()
	out := os.Getenv("HEARTH_CHART_SAMPLE")
	main := "/tmp/hearth-chart-sample.png"
	if strings.HasSuffix(out, ".png") {
		main = out
	}
	charts := []struct {
		suffix string
		c      Chart
	}{
		{"", sample(12, 5)},
		{"-52", sample(52, 5)},
		{"-single", Chart{Title: "Nurses North · key scores", Subtitle: "First round", YMin: 1, YMax: 5, YTickLabels: agreement,
			Series: []Series{{Label: "Energy at work", Points: []Point{{Label: "Nov 7", Value: 3.6, Low: 3.1, High: 4.1}}}}}},
		{"-allmissing", func() Chart {
			c := sample(6, 2)
			for s := range c.Series {
				for i := range c.Series[s].Points {
					c.Series[s].Points[i].Missing = true
				}
			}
			return c
		}()},
		{"-empty", Chart{Title: "Nurses North · key scores", Subtitle: "Trends appear after the first round closes", YMin: 1, YMax: 5, YTickLabels: agreement}},
		{"-many", func() Chart {
			c := sample(26, 6)
			more := sample(26, 6).Series
			for i := range more {
				more[i].Label = "Another question " + strconv.Itoa(i+7)
			}
			c.Series = append(c.Series, more...)
			return c
		}()},
		{"-long", Chart{
			Title:       "A very long team name that goes on and on · key scores over the last quarter and more",
			Subtitle:    "Average per round on the 1–5 agreement scale; shaded bands show the likely range of the team average",
			YMin:        1,
			YMax:        5,
			YTickLabels: map[float64]string{1: "Strongly disagree with the statement", 3: "Neither agree nor disagree", 5: "Strongly agree"},
			Series: []Series{
				{Label: "I can give clients the service I would want for my family", Points: []Point{{Label: "Week of November 7, 2026", Value: 4.2}, {Label: "Week of November 14, 2026", Value: 4.4}, {Label: "Week of November 21, 2026", Value: 4.1}}},
				{Label: "After a hard case, I get the supervision and support I need", Points: []Point{{Value: 3.1}, {Missing: true}, {Value: 3.3}}},
			},
		}},
		{"-enps", Chart{Title: "eNPS", Subtitle: "% promoters − % detractors", YMin: -100, YMax: 100, Series: []Series{{Label: "eNPS", Points: []Point{
			{Label: "Q1", Value: 12, Low: -20, High: 40}, {Label: "Q2", Missing: true}, {Label: "Q3", Value: 25, Low: -5, High: 50}, {Label: "Q4", Value: 100, Low: 70, High: 100}}}}}},
	}
	for _, ch := range charts {
		b, err := RenderPNG(ch.c)
		if err != nil {
			t.Fatal(err)
		}
		decode(t, b)
		if err := os.WriteFile(filepath.Join(dir, "sample"+ch.suffix+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		if out == "" {
			continue
		}
		base := strings.TrimSuffix(main, ".png") + ch.suffix
		if err := os.WriteFile(base+".png", b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := writeThumb(base+"-thumb.png", b, 400); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s.png", base)
	}
}

// writeThumb scales a PNG to the given width, as Slack's preview does.
func writeThumb(path string, b []byte, w int) error {
	src, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return err
	}
	h := w * src.Bounds().Dy() / src.Bounds().Dx()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), xdraw.Src, nil)
	var buf bytes.Buffer
	if err := png.Encode(&buf, dst); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func BenchmarkRender(b *testing.B) {
	c := sample(52, 5)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RenderPNG(c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}
