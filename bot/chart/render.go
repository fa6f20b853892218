package chart

import (
	"image"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
)

// palette is the Okabe–Ito colour-blind-safe palette without its yellow
// (too faint on white) and black (reserved for text): blue, orange, bluish
// green, vermillion, reddish purple, sky blue.
var palette = [...]color.RGBA{
	{0x00, 0x72, 0xB2, 0xff},
	{0xE6, 0x9F, 0x00, 0xff},
	{0x00, 0x9E, 0x73, 0xff},
	{0xD5, 0x5E, 0x00, 0xff},
	{0xCC, 0x79, 0xA7, 0xff},
	{0x56, 0xB4, 0xE9, 0xff},
}

// Neutral greys (r == g == b) for everything that is not data, so that any
// coloured pixel on the chart belongs to a series.
var (
	white   = color.RGBA{0xff, 0xff, 0xff, 0xff}
	ink     = color.RGBA{0x1a, 0x1a, 0x1a, 0xff}
	muted   = color.RGBA{0x5c, 0x5c, 0x5c, 0xff}
	tickInk = color.RGBA{0x4d, 0x4d, 0x4d, 0xff}
	gridInk = color.RGBA{0xe2, 0xe2, 0xe2, 0xff}
	axisInk = color.RGBA{0x9a, 0x9a, 0x9a, 0xff}
	gapInk  = color.RGBA{0xb4, 0xb4, 0xb4, 0xff}
)

// Layout, in pixels at Width×Height. Type is large because Slack shows the
// image at roughly a third of this size.
const (
	pad          = 36
	titleSize    = 50
	subtitleSize = 32
	labelSize    = 32
	messageSize  = 40

	maxLegendW    = 380 // widest legend label before truncation
	legendSwatch  = 52  // width of a legend line sample
	legendGap     = 10  // between sample and text
	legendSpacing = 36  // between items
	legendLineW   = 6
	legendMarker  = 8
	maxLegendRows = 3
	fullMarkR     = 7.5 // marker radius when rounds are not crowded
	fullRing      = 2.5 // white ring around such markers

	maxYLabelW = 300 // widest y tick label before truncation
	maxXLabelW = 360 // widest x label before truncation
	minXLabelW = 120 // x labels may be cut to this when rounds are crowded
	xInset     = 30  // horizontal room between the plot edge and the first/last round
)

// shapes are the marker shapes, cycled independently of the colours so that
// series stay distinguishable without colour, too.
const (
	shapeCircle = iota
	shapeSquare
	shapeDiamond
	shapeTriangleUp
	shapeTriangleDown
	numShapes
)

func seriesColour(i int) color.RGBA { return palette[i%len(palette)] }
func seriesShape(i int) int         { return i % numShapes }

// tick is a y-axis gridline and its label.
type tick struct {
	v     float64
	label string
}

// plot maps data to pixels.
type plot struct {
	left, right, top, bottom float64
	lo, hi                   float64
	xs                       []float64 // x of each round
	spacing                  float64   // px between rounds
}

func (p *plot) y(v float64) float64 {
	y := p.top + (p.hi-v)/(p.hi-p.lo)*(p.bottom-p.top)
	if math.IsNaN(y) {
		return p.bottom
	}
	// Keep coordinates sane even for absurd input.
	return math.Max(-Height, math.Min(2*Height, y))
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// present reports whether pt has a value to draw.
func present(pt Point) bool { return !pt.Missing && finite(pt.Value) }

// interval returns pt's interval, ordered and clipped to [lo, hi].
func interval(pt Point, lo, hi float64) (l, h float64, ok bool) {
	if pt.Low == 0 && pt.High == 0 || !finite(pt.Low) || !finite(pt.High) {
		return 0, 0, false
	}
	l, h = min(pt.Low, pt.High), max(pt.Low, pt.High)
	return max(l, lo), min(h, hi), true
}

// draw renders c to a new Width×Height image.
func draw(c Chart) (*image.RGBA, error) {
	img, _, err := drawChart(c)
	return img, err
}

// drawChart renders c and also returns its plot geometry (for tests).
func drawChart(c Chart) (*image.RGBA, *plot, error) {
	if err := loadFonts(); err != nil {
		return nil, nil, err
	}
	titleFace, err := newFace(fontBold, titleSize)
	if err != nil {
		return nil, nil, err
	}
	subFace, err := newFace(fontRegular, subtitleSize)
	if err != nil {
		return nil, nil, err
	}
	labelFace, err := newFace(fontRegular, labelSize)
	if err != nil {
		return nil, nil, err
	}
	msgFace, err := newFace(fontRegular, messageSize)
	if err != nil {
		return nil, nil, err
	}

	img := image.NewRGBA(image.Rect(0, 0, Width, Height))
	fillRect(img, img.Bounds(), white)
	pt := newPainter(img)

	rounds, anyPresent, anyMissing := 0, false, false
	for _, s := range c.Series {
		rounds = max(rounds, len(s.Points))
		for _, p := range s.Points {
			if present(p) {
				anyPresent = true
			} else {
				anyMissing = true
			}
		}
	}

	// Header.
	y := pad
	titleEnd, titleMid, subEnd, subMid := 0, 0, 0, 0
	if t := clean(c.Title); t != "" {
		t = titleFace.fit(t, Width-2*pad)
		titleFace.draw(img, t, pad, y+titleFace.cap, ink)
		titleEnd, titleMid = pad+titleFace.width(t), y+titleFace.cap/2
		y += titleFace.cap + 18
	}
	if t := clean(c.Subtitle); t != "" {
		t = subFace.fit(t, Width-2*pad)
		subFace.draw(img, t, pad, y+subFace.cap, muted)
		subEnd, subMid = pad+subFace.width(t), y+subFace.cap/2
		y += subFace.cap + subFace.descent
	}

	// Legend: items flow left to right and wrap, on at most maxLegendRows
	// rows; series that do not fit are summed up as "+N more".
	rowH := labelFace.cap + 24
	legendTop := y + 16
	if y == pad {
		legendTop = y
	}
	var items []legendItem
	labelled := 0
	for _, s := range c.Series {
		if clean(s.Label) != "" {
			labelled++
		}
	}
	legendW := maxLegendW
	if labelled <= 2 {
		legendW = (Width-2*pad-legendSpacing)/2 - legendSwatch - legendGap
	}
	for i, s := range c.Series {
		if l := clean(s.Label); l != "" {
			items = append(items, legendItem{series: i, label: labelFace.fit(l, legendW)})
		}
	}
	rows, end := flowLegend(items, labelFace)
	for k := len(items) - 1; rows > maxLegendRows && k > 0; k-- {
		more := legendItem{series: legendMore, label: "+" + strconv.Itoa(len(items)-k) + " more"}
		trial := append(items[:k:k], more)
		if r, e := flowLegend(trial, labelFace); r <= maxLegendRows {
			items, rows, end = trial, r, e
		}
	}
	if anyMissing && anyPresent {
		// Explain gaps: at the end of the legend if it fits there, else at
		// the right of the subtitle or title, else on a row of its own.
		note := legendItem{series: legendGapNote, label: "Gap = too few responses"}
		w := note.width(labelFace)
		switch {
		case rows > 0 && end+legendSpacing+w <= Width-pad:
			items = append(items, note)
			rows, _ = flowLegend(items, labelFace)
		case subEnd > 0 && subEnd+2*legendSpacing+w <= Width-pad:
			note.x, note.y = Width-pad-w, subMid
			items = append(items, note)
		case titleEnd > 0 && titleEnd+2*legendSpacing+w <= Width-pad:
			note.x, note.y = Width-pad-w, titleMid
			items = append(items, note)
		case rows < maxLegendRows:
			items = append(items, note)
			rows, _ = flowLegend(items, labelFace)
		}
		// Otherwise there is no room: the gaps speak for themselves.
	}
	for i := range items {
		if items[i].y == 0 {
			items[i].y = legendTop + items[i].row*rowH + rowH/2
		}
	}
	if rows > 0 {
		y = legendTop + rows*rowH
	}

	// Plot area, vertically.
	pl := &plot{top: float64(y + 44)}
	xBaseline := Height - pad + 4
	pl.bottom = float64(xBaseline - labelFace.cap - 26)

	// Scale and ticks; their labels decide the left edge.
	var known bool
	pl.lo, pl.hi, known = scale(c)
	ticks := thinTicks(yTicks(c, pl.lo, pl.hi, known), pl, float64(labelFace.cap)*2)
	labelW := 0
	for i := range ticks {
		ticks[i].label = labelFace.fit(ticks[i].label, maxYLabelW)
		labelW = max(labelW, labelFace.width(ticks[i].label))
	}
	pl.left = float64(pad + labelW + 16)
	pl.right = float64(Width - pad)

	// Rounds, horizontally.
	pl.xs = make([]float64, rounds)
	pl.spacing = pl.right - pl.left
	switch {
	case rounds == 1:
		pl.xs[0] = (pl.left + pl.right) / 2
	case rounds > 1:
		pl.spacing = (pl.right - pl.left - 2*xInset) / float64(rounds-1)
		for i := range pl.xs {
			pl.xs[i] = pl.left + xInset + float64(i)*pl.spacing
		}
	}
	lineW := clamp(pl.spacing*0.22, 4, 5.5)
	markR := clamp(pl.spacing*0.28, lineW*0.9, fullMarkR)
	ring := 0.0
	if pl.spacing >= 30 {
		ring = fullRing
	}

	// Gridlines and y labels.
	left, right, bottom := int(pl.left), int(pl.right), int(math.Round(pl.bottom))
	for _, t := range ticks {
		ty := int(math.Round(pl.y(t.v)))
		fillRect(img, image.Rect(left, ty-1, right, ty+1), gridInk)
		if t.label != "" {
			labelFace.draw(img, t.label, left-16-labelFace.width(t.label), ty+labelFace.cap/2, tickInk)
		}
	}
	fillRect(img, image.Rect(left, bottom-1, right, bottom+1), axisInk)

	// X labels, thinned so they never collide; the latest round is always
	// labelled.
	xLabels := make([]string, rounds)
	xLabelW, xLabelMax := 0, maxXLabelW
	if rounds > 1 {
		xLabelMax = max(minXLabelW, min(maxXLabelW, int(pl.spacing*0.7)))
	}
	for i := range rounds {
		for _, s := range c.Series {
			if i < len(s.Points) {
				if l := clean(s.Points[i].Label); l != "" {
					xLabels[i] = labelFace.fit(l, xLabelMax)
					break
				}
			}
		}
		xLabelW = max(xLabelW, labelFace.width(xLabels[i]))
	}
	every := 1
	if rounds > 1 && pl.spacing < float64(xLabelW+24) {
		every = int(math.Ceil(float64(xLabelW+24) / pl.spacing))
	}
	// Right to left, so the latest round wins; a label pushed in from the
	// image edge is skipped if it would still touch its neighbour.
	nextLeft := math.MaxInt
	for i := rounds - 1; i >= 0; i-- {
		if (rounds-1-i)%every != 0 {
			continue
		}
		x := int(math.Round(pl.xs[i]))
		fillRect(img, image.Rect(x-1, bottom+1, x+1, bottom+9), axisInk)
		if l := xLabels[i]; l != "" {
			w := labelFace.width(l)
			lx := min(max(x-w/2, pad/3), Width-pad/3-w)
			if lx+w+16 <= nextLeft {
				labelFace.draw(img, l, lx, xBaseline, tickInk)
				nextLeft = lx
			}
		}
	}

	// Interval bands, under all lines. Each run of consecutive rounds with an
	// interval is one band; a lone interval is a bar.
	for si, s := range c.Series {
		col := seriesColour(si)
		band := color.RGBAModel.Convert(color.NRGBA{col.R, col.G, col.B, bandAlpha(len(c.Series))}).(color.RGBA)
		for i := 0; i < len(s.Points); {
			j := i
			for j < len(s.Points) && present(s.Points[j]) {
				if _, _, ok := interval(s.Points[j], pl.lo, pl.hi); !ok {
					break
				}
				j++
			}
			switch {
			case j-i == 1:
				l, h, _ := interval(s.Points[i], pl.lo, pl.hi)
				half := max(markR, fullMarkR) + fullRing + 2
				pt.rect(pl.xs[i]-half, pl.y(h), pl.xs[i]+half, pl.y(l))
			case j-i > 1:
				for k := i; k < j; k++ {
					_, h, _ := interval(s.Points[k], pl.lo, pl.hi)
					pt.add(pl.xs[k], pl.y(h))
				}
				for k := j - 1; k >= i; k-- {
					l, _, _ := interval(s.Points[k], pl.lo, pl.hi)
					pt.add(pl.xs[k], pl.y(l))
				}
				pt.closePoly()
			}
			i = max(j, i+1)
		}
		pt.fill(band)
	}

	// Lines: one stroke per run of consecutive present rounds, so a Missing
	// round breaks the line.
	run := make([]vec, 0, rounds)
	for si, s := range c.Series {
		run = run[:0]
		flush := func() {
			if len(run) > 1 {
				pt.polyline(run, lineW)
			}
			run = run[:0]
		}
		for i, p := range s.Points {
			if !present(p) {
				flush()
				continue
			}
			run = append(run, vec{pl.xs[i], pl.y(p.Value)})
		}
		flush()
		pt.fill(seriesColour(si))
	}

	// Markers. A white ring separates each from the lines around it; when
	// rounds are crowded, markers shrink to dots on the line without a ring.
	// A point with no present neighbour is always drawn full size, since its
	// marker is all there is of it.
	isolated := func(s Series, i int) bool {
		return (i == 0 || !present(s.Points[i-1])) && (i+1 >= len(s.Points) || !present(s.Points[i+1]))
	}
	for si, s := range c.Series {
		for _, ringPass := range []bool{true, false} {
			for i, p := range s.Points {
				if !present(p) {
					continue
				}
				r, d := markR, ring
				if isolated(s, i) {
					r, d = max(markR, fullMarkR), fullRing
				}
				if !ringPass {
					d = 0
				} else if d == 0 {
					continue
				}
				// One fill per marker keeps the rasterized area small.
				marker(pt, seriesShape(si), pl.xs[i], pl.y(p.Value), r, d)
				if ringPass {
					pt.fill(white)
				} else {
					pt.fill(seriesColour(si))
				}
			}
		}
	}

	// Legend.
	for _, it := range items {
		drawLegendItem(pt, img, labelFace, it)
	}

	// Nothing to show: say so in the middle of the plot.
	msg := ""
	switch {
	case len(c.Series) == 0 || rounds == 0:
		msg = "No data yet"
	case !anyPresent:
		msg = "Not enough responses to protect anonymity"
	}
	if msg != "" {
		msg = msgFace.fit(msg, right-left-40)
		w := msgFace.width(msg)
		cx, cy := (left+right)/2, int(pl.top+pl.bottom)/2
		fillRect(img, image.Rect(cx-w/2-20, cy-msgFace.cap/2-18, cx+w/2+20, cy+msgFace.cap/2+18), white)
		msgFace.draw(img, msg, cx-w/2, cy+msgFace.cap/2, muted)
	}
	return img, pl, nil
}

// Pseudo series of legend items that are not a series.
const (
	legendGapNote = -1 // explains the gaps
	legendMore    = -2 // "+N more" series
)

// legendItem is an entry of the legend.
type legendItem struct {
	series int // index in Chart.Series, or legendGapNote or legendMore
	label  string
	row    int // legend row, when not placed explicitly
	x, y   int // left end and vertical centre
}

// width is the horizontal space the item takes.
func (it legendItem) width(f *face) int {
	if it.series == legendMore {
		return f.width(it.label)
	}
	return legendSwatch + legendGap + f.width(it.label)
}

// flowLegend places items on rows left to right, wrapping at the right
// margin; items with a fixed position (y != 0) are skipped. It returns the
// number of rows and the right end of the last item.
func flowLegend(items []legendItem, f *face) (rows, end int) {
	x := pad
	for i := range items {
		if items[i].y != 0 {
			continue
		}
		w := items[i].width(f)
		if rows == 0 || x > pad && x+w > Width-pad {
			x, rows = pad, rows+1
		}
		items[i].x, items[i].row = x, rows-1
		end = x + w
		x = end + legendSpacing
	}
	return rows, end
}

// drawLegendItem draws a line sample with the series' marker (or a broken
// grey line for the gap note) and the item's label.
func drawLegendItem(pt *painter, img *image.RGBA, f *face, it legendItem) {
	x, cy := float64(it.x), float64(it.y)
	textX, textInk := it.x+legendSwatch+legendGap, tickInk
	switch it.series {
	case legendMore:
		textX, textInk = it.x, muted
	case legendGapNote:
		pt.polyline([]vec{{x + 3, cy}, {x + 15, cy}}, legendLineW)
		pt.polyline([]vec{{x + legendSwatch - 15, cy}, {x + legendSwatch - 3, cy}}, legendLineW)
		pt.fill(gapInk)
		textInk = muted
	default:
		col, shape := seriesColour(it.series), seriesShape(it.series)
		pt.polyline([]vec{{x + 3, cy}, {x + legendSwatch - 3, cy}}, legendLineW)
		pt.fill(col)
		marker(pt, shape, x+legendSwatch/2, cy, legendMarker, fullRing)
		pt.fill(white)
		marker(pt, shape, x+legendSwatch/2, cy, legendMarker, 0)
		pt.fill(col)
	}
	f.draw(img, it.label, textX, it.y+f.cap/2, textInk)
}

// marker adds a marker of the given shape and nominal radius r, grown
// outward by d (for its ring).
func marker(pt *painter, shape int, x, y, r, d float64) {
	switch shape {
	case shapeSquare:
		pt.regular(x, y, r*1.2+d*math.Sqrt2, 4, math.Pi/4)
	case shapeDiamond:
		pt.regular(x, y, r*1.4+d*math.Sqrt2, 4, 0)
	case shapeTriangleUp:
		pt.regular(x, y+r*0.25, r*1.55+2*d, 3, -math.Pi/2)
	case shapeTriangleDown:
		pt.regular(x, y-r*0.25, r*1.55+2*d, 3, math.Pi/2)
	default:
		pt.circle(x, y, r+d)
	}
}

// bandAlpha is the opacity of interval bands: lighter as more of them
// overlap.
func bandAlpha(series int) uint8 {
	switch {
	case series <= 1:
		return 0x3c
	case series <= 3:
		return 0x2c
	default:
		return 0x1e
	}
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// scale returns the value range of the y axis. known is false when neither
// the chart nor its data says anything about the range.
func scale(c Chart) (lo, hi float64, known bool) {
	fixed := finite(c.YMin) && finite(c.YMax) && c.YMax > c.YMin
	cmin, cmax := math.Inf(1), math.Inf(-1)
	see := func(v float64) {
		if finite(v) {
			cmin, cmax = min(cmin, v), max(cmax, v)
		}
	}
	if fixed {
		see(c.YMin)
		see(c.YMax)
	}
	ticked := false
	if !fixed {
		for k := range c.YTickLabels {
			if finite(k) {
				see(k)
				ticked = true
			}
		}
	}
	for _, s := range c.Series {
		for _, p := range s.Points {
			if !present(p) {
				continue
			}
			see(p.Value)
			if !fixed && !ticked {
				if l, h, ok := interval(p, math.Inf(-1), math.Inf(1)); ok {
					see(l)
					see(h)
				}
			}
		}
	}
	switch {
	case cmin > cmax:
		return 0, 1, false
	case !finite(cmax - cmin):
		return -math.MaxFloat64 / 4, math.MaxFloat64 / 4, true
	case cmin == cmax:
		return cmin - 1, cmax + 1, true
	case fixed || ticked:
		return cmin, cmax, true
	}
	step := niceStep((cmax - cmin) / 4)
	return math.Floor(cmin/step) * step, math.Ceil(cmax/step) * step, true
}

// niceStep rounds x up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if !(x > 0) || !finite(x) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	switch f := x / p; {
	case f <= 1:
		return p
	case f <= 2:
		return 2 * p
	case f <= 5:
		return 5 * p
	default:
		return 10 * p
	}
}

// yTicks returns the gridlines for [lo, hi], lowest first.
func yTicks(c Chart, lo, hi float64, known bool) []tick {
	eps := (hi - lo) * 1e-9
	var ts []tick
	for k, l := range c.YTickLabels {
		if finite(k) && k >= lo-eps && k <= hi+eps {
			ts = append(ts, tick{k, clean(l)})
		}
	}
	if len(ts) > 0 {
		slices.SortFunc(ts, func(a, b tick) int {
			if a.v < b.v {
				return -1
			}
			if a.v > b.v {
				return 1
			}
			return 0
		})
		return ts
	}
	if !known {
		for i := range 5 {
			ts = append(ts, tick{v: lo + float64(i)*(hi-lo)/4})
		}
		return ts
	}
	step := niceStep((hi - lo) / 5)
	dec := 0
	for dec < 10 && math.Abs(step*math.Pow10(dec)-math.Round(step*math.Pow10(dec))) > 1e-6 {
		dec++
	}
	first := math.Ceil(lo/step - 1e-9)
	for k := 0; k <= 50; k++ {
		v := (first + float64(k)) * step
		if v > hi+eps {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0 // no "-0"
		}
		ts = append(ts, tick{v, strings.Replace(strconv.FormatFloat(v, 'f', dec, 64), "-", "−", 1)})
	}
	return ts
}

// thinTicks drops ticks, lowest kept first, so that kept ones are at least
// minGap pixels apart.
func thinTicks(ts []tick, pl *plot, minGap float64) []tick {
	out := ts[:0]
	last := math.Inf(1)
	for _, t := range ts {
		y := pl.y(t.v)
		if last-y >= minGap {
			out = append(out, t)
			last = y
		}
	}
	return out
}
