// Package chart renders the trend chart posted with a team's anonymized
// summary: a PNG of the team's key scores over recent rounds.
//
// Rendering is pure Go (golang.org/x/image/vector for shapes,
// golang.org/x/image/font/opentype with the Go fonts for text) and
// deterministic: the same Chart always yields the same bytes. The image is
// drawn at Width×Height with large type and thick lines so that it stays
// legible when Slack scales it down to a 360–500 px wide preview.
//
// Suppressed rounds (Point.Missing, fewer responses than the anonymity
// threshold) are drawn as gaps: no marker, no line into or out of them and no
// interval band. Values are never interpolated across a gap.
package chart

import (
	"bytes"
	"image/png"
	"io"
)

// Width and Height are the size in pixels of every rendered chart (16:9).
const (
	Width  = 1200
	Height = 675
)

// Point is one round's value for a series.
type Point struct {
	// Label names the round on the x axis, e.g. "Nov 7". Point i of every
	// series belongs to round i; the first non-empty label among the series
	// is used for that round.
	Label string
	// Value is the score for the round. It is ignored when Missing is set.
	// A NaN or infinite Value is treated as Missing.
	Value float64
	// Low and High bound an optional uncertainty interval around Value,
	// drawn as a light shaded band. Both zero means no interval. The band is
	// clipped to the chart's scale.
	Low, High float64
	// Missing marks a suppressed round (not enough responses to protect
	// anonymity). It is drawn as a gap, never interpolated.
	Missing bool
}

// Series is one line of the chart, e.g. one question's average per round.
type Series struct {
	// Label is shown in the legend (truncated with "…" if long).
	Label string
	// Points holds one entry per round, oldest first. Use Missing for rounds
	// this series has no value for; a shorter series covers only the first
	// rounds.
	Points []Point
}

// Chart describes a trend chart.
type Chart struct {
	// Title is drawn top-left in bold; Subtitle below it in grey. Both are
	// optional and truncated with "…" when too long.
	Title    string
	Subtitle string
	// YMin and YMax fix the value scale, e.g. 1 and 5 for an agreement
	// scale. If YMax <= YMin the scale is derived from YTickLabels and the
	// data. A value outside a fixed scale widens it, so nothing is drawn
	// off-scale.
	YMin, YMax float64
	// YTickLabels optionally names the y-axis gridlines, e.g.
	// {1: "Strongly disagree", 3: "Neutral", 5: "Strongly agree"}. Keys
	// outside the scale are ignored. When nil, evenly spaced numeric ticks
	// are drawn.
	YTickLabels map[float64]string
	// Series are the lines to draw, in legend order. Each gets a colour from
	// the colour-blind-safe Okabe–Ito palette (six colours, then repeating)
	// and a marker shape (five, cycling independently), so up to six series
	// read well. The legend shows as many as fit on three rows and counts
	// the rest as "+N more". With no series the chart reads "No data yet";
	// with no value to show, "Not enough responses to protect anonymity".
	Series []Series
}

// Render draws c and writes it to w as a Width×Height PNG.
func Render(w io.Writer, c Chart) error {
	img, err := draw(c)
	if err != nil {
		return err
	}
	// BestSpeed: half the time of the default level for ~3% more bytes.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	return enc.Encode(w, img)
}

// RenderPNG draws c and returns the encoded Width×Height PNG.
func RenderPNG(c Chart) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(64 << 10)
	if err := Render(&buf, c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
