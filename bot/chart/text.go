package chart

import (
	"fmt"
	"image"
	"image/color"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

var (
	fontsOnce   sync.Once
	fontRegular *opentype.Font
	fontBold    *opentype.Font
	fontsErr    error
)

// loadFonts parses the embedded Go fonts once. Parsed fonts are safe for
// concurrent use; faces are not, so each render makes its own.
func loadFonts() error {
	fontsOnce.Do(func() {
		if fontRegular, fontsErr = opentype.Parse(goregular.TTF); fontsErr != nil {
			fontsErr = fmt.Errorf("chart: parse Go Regular: %w", fontsErr)
			return
		}
		if fontBold, fontsErr = opentype.Parse(gobold.TTF); fontsErr != nil {
			fontsErr = fmt.Errorf("chart: parse Go Bold: %w", fontsErr)
		}
	})
	return fontsErr
}

// face is a font face at one size with its metrics in whole pixels.
type face struct {
	f                            font.Face
	ascent, descent, cap, height int
}

func newFace(f *opentype.Font, size float64) (*face, error) {
	ff, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, fmt.Errorf("chart: font face: %w", err)
	}
	m := ff.Metrics()
	return &face{
		f:       ff,
		ascent:  m.Ascent.Ceil(),
		descent: m.Descent.Ceil(),
		cap:     m.CapHeight.Round(),
		height:  m.Height.Ceil(),
	}, nil
}

// width is the advance width of s in pixels.
func (f *face) width(s string) int { return font.MeasureString(f.f, s).Ceil() }

// draw writes s with its left end at x and its baseline at y.
func (f *face) draw(img *image.RGBA, s string, x, y int, c color.Color) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: f.f, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// fit returns s, shortened with a trailing "…" if needed so that it is at
// most max pixels wide ("" if not even "…" fits).
func (f *face) fit(s string, max int) string {
	if f.width(s) <= max {
		return s
	}
	r := []rune(s)
	// Widest prefix that fits with the ellipsis: binary search, since width
	// grows with the prefix length.
	lo, hi := 0, len(r) // r[:lo]+"…" fits (if lo > 0 or "…" fits); r[:hi] does not
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if f.width(strings.TrimRightFunc(string(r[:mid]), unicode.IsSpace)+"…") <= max {
			lo = mid
		} else {
			hi = mid
		}
	}
	out := strings.TrimRightFunc(string(r[:lo]), unicode.IsSpace) + "…"
	if f.width(out) > max {
		return ""
	}
	return out
}

// clean makes s safe to draw on one line: control characters become spaces,
// runs of spaces collapse, and absurdly long strings are cut.
func clean(s string) string {
	const maxRunes = 200
	var b strings.Builder
	space, n := false, 0
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
		if n++; n >= maxRunes {
			break
		}
	}
	return b.String()
}
