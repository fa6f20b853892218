package bot

import "time"

// startOfMonth is midnight on the first of t's month, in t's location.
func startOfMonth(t time.Time) time.Time {
	y, m, _ := t.Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, t.Location())
}
