package chart

import (
	"image"
	"image/color"
	"math"

	"golang.org/x/image/vector"
)

// vec is a point in canvas pixel coordinates (y down).
type vec struct{ x, y float64 }

// painter fills anti-aliased polygons on an RGBA canvas.
//
// Polygons added between two fill calls are drawn together, as a union: each
// polygon is normalised to the same winding direction, and the rasterizer
// clamps overlapping coverage to one, so overlaps (say, a stroke's segments and
// round joins) are painted once rather than blended twice.
type painter struct {
	img  *image.RGBA
	z    vector.Rasterizer
	srcs []*image.Uniform // sources by colour, to save an allocation per fill
	pts  []vec
	ends []int // end offset in pts of each polygon
	open int   // start offset in pts of the polygon being built
}

func newPainter(img *image.RGBA) *painter {
	return &painter{img: img, pts: make([]vec, 0, 1024)}
}

// add appends a vertex to the polygon being built.
func (p *painter) add(x, y float64) { p.pts = append(p.pts, vec{x, y}) }

// closePoly ends the polygon being built.
func (p *painter) closePoly() {
	poly := p.pts[p.open:]
	if len(poly) < 3 {
		p.pts = p.pts[:p.open]
		return
	}
	// Shoelace: make every polygon wind the same way (negative area).
	var a float64
	for i := range poly {
		j := (i + 1) % len(poly)
		a += poly[i].x*poly[j].y - poly[j].x*poly[i].y
	}
	if a > 0 {
		for i, j := 0, len(poly)-1; i < j; i, j = i+1, j-1 {
			poly[i], poly[j] = poly[j], poly[i]
		}
	}
	p.ends = append(p.ends, len(p.pts))
	p.open = len(p.pts)
}

// rect adds an axis-aligned rectangle.
func (p *painter) rect(x0, y0, x1, y1 float64) {
	p.add(x0, y0)
	p.add(x1, y0)
	p.add(x1, y1)
	p.add(x0, y1)
	p.closePoly()
}

// regular adds a regular polygon with n sides (n < 3: a circle) of
// circumradius r centred on (cx, cy), its first vertex at angle rot.
func (p *painter) regular(cx, cy, r float64, n int, rot float64) {
	if n < 3 {
		n = 32
	}
	for i := range n {
		t := rot + 2*math.Pi*float64(i)/float64(n)
		p.add(cx+r*math.Cos(t), cy+r*math.Sin(t))
	}
	p.closePoly()
}

// circle adds a disc of radius r.
func (p *painter) circle(cx, cy, r float64) { p.regular(cx, cy, r, 0, 0) }

// segment adds the body of a stroke of width w from a to b (no caps).
func (p *painter) segment(a, b vec, w float64) {
	dx, dy := b.x-a.x, b.y-a.y
	l := math.Hypot(dx, dy)
	if l < 1e-9 {
		return
	}
	nx, ny := -dy/l*w/2, dx/l*w/2
	p.add(a.x+nx, a.y+ny)
	p.add(b.x+nx, b.y+ny)
	p.add(b.x-nx, b.y-ny)
	p.add(a.x-nx, a.y-ny)
	p.closePoly()
}

// polyline adds a stroke of width w through pts with round joins and caps.
func (p *painter) polyline(pts []vec, w float64) {
	for i := range pts {
		p.circle(pts[i].x, pts[i].y, w/2)
		if i > 0 {
			p.segment(pts[i-1], pts[i], w)
		}
	}
}

// source returns a uniform image of colour c.
func (p *painter) source(c color.RGBA) *image.Uniform {
	for _, u := range p.srcs {
		if u.C == c {
			return u
		}
	}
	u := image.NewUniform(c)
	p.srcs = append(p.srcs, u)
	return u
}

// fill paints the polygons added since the last fill in colour c
// (alpha-premultiplied).
func (p *painter) fill(c color.RGBA) {
	defer func() {
		p.pts, p.ends, p.open = p.pts[:0], p.ends[:0], 0
	}()
	if len(p.ends) == 0 {
		return
	}
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, v := range p.pts {
		minX, maxX = math.Min(minX, v.x), math.Max(maxX, v.x)
		minY, maxY = math.Min(minY, v.y), math.Max(maxY, v.y)
	}
	if math.IsNaN(minX+maxX+minY+maxY) || math.IsInf(minX+maxX+minY+maxY, 0) {
		return
	}
	r := image.Rect(int(math.Floor(minX))-1, int(math.Floor(minY))-1,
		int(math.Ceil(maxX))+1, int(math.Ceil(maxY))+1).Intersect(p.img.Bounds())
	if r.Empty() {
		return
	}
	ox, oy := float64(r.Min.X), float64(r.Min.Y)
	p.z.Reset(r.Dx(), r.Dy())
	start := 0
	for _, end := range p.ends {
		poly := p.pts[start:end]
		start = end
		p.z.MoveTo(float32(poly[0].x-ox), float32(poly[0].y-oy))
		for _, v := range poly[1:] {
			p.z.LineTo(float32(v.x-ox), float32(v.y-oy))
		}
		p.z.ClosePath()
	}
	p.z.Draw(p.img, r, p.source(c), image.Point{})
}

// fillRect paints a pixel-aligned rectangle without anti-aliasing.
func fillRect(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)]
		for i := 0; i < len(row); i += 4 {
			row[i], row[i+1], row[i+2], row[i+3] = c.R, c.G, c.B, c.A
		}
	}
}
