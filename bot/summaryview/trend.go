package summaryview

import (
	"github.com/hearth-oss/hearth/bot/chart"
	"github.com/hearth-oss/hearth/db"
)

// TrendChart turns a team's trend into a chart of favourable shares (%).
func TrendChart(team db.Team, points []db.TrendPoint, o Options) chart.Chart {
	c := chart.Chart{
		Title:       "Team pulse trend",
		Subtitle:    "Share of favourable answers, 95% ranges shaded — gaps: too few answers to show",
		YMin:        0,
		YMax:        100,
		YTickLabels: map[float64]string{0: "0%", 25: "25%", 50: "50%", 75: "75%", 100: "100%"},
	}
	for gi, g := range db.TrendGroups {
		series := chart.Series{Label: g.Label}
		for _, p := range points {
			pt := chart.Point{Label: p.PeriodEnd.In(o.loc()).Format("Jan 2")}
			if p.Missing || !p.Shown[gi] {
				pt.Missing = true
			} else {
				iv := p.Favourable[gi]
				pt.Value, pt.Low, pt.High = iv.Estimate*100, iv.Lower*100, iv.Upper*100
			}
			series.Points = append(series.Points, pt)
		}
		c.Series = append(c.Series, series)
	}
	return c
}
