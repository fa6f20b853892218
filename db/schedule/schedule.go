// Package schedule reads the cron specs that say when a team's pulse rounds
// open, in the team's time zone, and steps through their wall-clock times
// correctly across daylight-saving changes. Slack (the team modal), the
// command line and the scheduler all read schedules through it.
package schedule

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule is when a team's rounds open: a standard five-field cron spec
// read as wall-clock times in one time zone, e.g.
// "CRON_TZ=America/Denver 0 10 * * FRI" (Fridays at 10:00 in Denver). A
// spec without CRON_TZ= runs in UTC, never in the server's local zone.
//
// Times are wall-clock times, so a schedule keeps its local time across
// daylight-saving changes. A time the clocks skip (02:30 on a spring-forward
// night) fires once, at the moment the clocks jump (03:00); a time that
// happens twice (01:30 on a fall-back night) fires once, the first time.
type Schedule struct {
	spec       string // as given, trimmed
	expr       string // the spec without its time zone prefix
	loc        *time.Location
	explicitTZ bool
	bits       *cron.SpecSchedule
}

// Error is a schedule that cannot be used, with a one-line reason
// meant for the admin who wrote it.
type Error struct {
	Spec   string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("schedule %q: %s", e.Spec, e.Reason) }

// cronFields names the five fields and what each accepts, for errors.
var cronFields = [5]struct{ name, accepts string }{
	{"minute", "0–59"},
	{"hour", "0–23"},
	{"day-of-month", "1–31"},
	{"month", "1–12 or JAN–DEC"},
	{"day-of-week", "0–6 or SUN–SAT"},
}

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Parse parses a cron spec with an optional CRON_TZ= (or TZ=)
// time zone prefix: five fields (minute hour day-of-month month
// day-of-week) or a descriptor such as @weekly. An error is a
// *Error that reads as one line.
func Parse(spec string) (Schedule, error) {
	spec = strings.Join(strings.Fields(spec), " ")
	bad := func(format string, args ...any) (Schedule, error) {
		return Schedule{}, &Error{Spec: spec, Reason: fmt.Sprintf(format, args...)}
	}
	if spec == "" {
		return bad(`is empty; write five fields like "CRON_TZ=America/Denver 0 10 * * FRI" (Fridays at 10:00)`)
	}
	s := Schedule{spec: spec, expr: spec, loc: time.UTC}
	if first, rest, _ := strings.Cut(spec, " "); strings.HasPrefix(first, "CRON_TZ=") || strings.HasPrefix(first, "TZ=") {
		_, name, _ := strings.Cut(first, "=")
		switch {
		case name == "":
			return bad("CRON_TZ= names no time zone (write one like America/Denver)")
		case name == "Local":
			return bad(`time zone "Local" depends on the server; name one like America/Denver`)
		}
		loc, err := time.LoadLocation(name)
		if err != nil {
			return bad("unknown time zone %q (use an IANA name like America/Denver or Europe/London)", name)
		}
		s.loc, s.explicitTZ, s.expr = loc, true, rest
		if s.expr == "" {
			return bad("has a time zone but no schedule after it")
		}
	}
	if strings.HasPrefix(s.expr, "@every") {
		return bad("@every is not supported: rounds follow the calendar, so write five fields like \"0 10 * * FRI\"")
	}
	parsed, err := cronParser.Parse(s.expr)
	if err != nil {
		return bad("%s", explainCronError(s.expr, err))
	}
	spec5, ok := parsed.(*cron.SpecSchedule)
	if !ok {
		return bad("is not a calendar schedule")
	}
	s.bits = spec5
	if _, ok := s.Next(time.Now()); !ok {
		return bad("never happens (no such date in the next five years)")
	}
	return s, nil
}

// explainCronError turns the cron parser's error into one plain sentence,
// naming the field at fault when it can find it.
func explainCronError(expr string, err error) string {
	if strings.HasPrefix(expr, "@") {
		return fmt.Sprintf("unknown descriptor %q (use @hourly, @daily, @weekly, @monthly or @yearly)", expr)
	}
	fields := strings.Fields(expr)
	if len(fields) != 5 {
		return fmt.Sprintf("has %d fields, want 5: minute hour day-of-month month day-of-week (e.g. \"0 10 * * FRI\")", len(fields))
	}
	for i, f := range fields {
		probe := []string{"*", "*", "*", "*", "*"}
		probe[i] = f
		if _, perr := cronParser.Parse(strings.Join(probe, " ")); perr != nil {
			return fmt.Sprintf("%s field %q is not valid (use %s, *, lists like 1,3 or ranges like 1-5)", cronFields[i].name, f, cronFields[i].accepts)
		}
	}
	return err.Error()
}

// String returns the spec as written (spaces normalized).
func (s Schedule) String() string { return s.spec }

// Location is the time zone the schedule's times are in (UTC when the spec
// names none).
func (s Schedule) Location() *time.Location { return s.loc }

// zoneName is the zone as people should read it.
func (s Schedule) zoneName() string {
	if !s.explicitTZ {
		return "UTC"
	}
	return s.loc.String()
}

// Describe says when the schedule fires in words where that is easy, e.g.
// "Fridays at 10:00 (America/Denver)" or "every day at 09:00 (UTC)", and
// otherwise gives the spec with its zone.
func (s Schedule) Describe() string {
	if s.bits == nil {
		return ""
	}
	fallback := fmt.Sprintf("%q (%s)", s.expr, s.zoneName())
	b := s.bits
	if b.Dom&starBit == 0 || b.Month&starBit == 0 {
		return fallback
	}
	hours, minutes := setBits(b.Hour, 0, 23), setBits(b.Minute, 0, 59)
	if len(hours)*len(minutes) > 3 {
		return fallback
	}
	var times []string
	for _, h := range hours {
		for _, m := range minutes {
			times = append(times, fmt.Sprintf("%02d:%02d", h, m))
		}
	}
	var days string
	weekdays := setBits(b.Dow, 0, 6)
	switch {
	case b.Dow&starBit != 0 || len(weekdays) == 7:
		days = "every day"
	case slices.Equal(weekdays, []int{1, 2, 3, 4, 5}):
		days = "weekdays"
	case slices.Equal(weekdays, []int{0, 6}):
		days = "weekends"
	default:
		// Monday first, as people list days.
		var names []string
		for _, d := range weekdays {
			if d != 0 {
				names = append(names, time.Weekday(d).String()+"s")
			}
		}
		if weekdays[0] == 0 {
			names = append(names, "Sundays")
		}
		days = joinAnd(names)
	}
	return fmt.Sprintf("%s at %s (%s)", days, joinAnd(times), s.zoneName())
}

// Next returns the first scheduled time after t, or false if there is none
// within five years.
func (s Schedule) Next(t time.Time) (time.Time, bool) {
	if s.bits == nil {
		return time.Time{}, false
	}
	day := civilDate(t.In(s.loc)).AddDate(0, 0, -1) // a slot resolved across a DST jump may precede its date
	limit := day.AddDate(5, 0, 2)
	for ; !day.After(limit); day = day.AddDate(0, 0, 1) {
		var best time.Time
		for _, slot := range s.slotsOn(day) {
			if slot.After(t) && (best.IsZero() || slot.Before(best)) {
				best = slot
			}
		}
		if !best.IsZero() {
			return best, true
		}
	}
	return time.Time{}, false
}

// LatestSlot returns the latest time s fires in (now-window, now]: the round
// that should be open now, if a round stays open for window.
func LatestSlot(s Schedule, now time.Time, window time.Duration) (time.Time, bool) {
	if s.bits == nil || window <= 0 {
		return time.Time{}, false
	}
	from := now.Add(-window)
	first := civilDate(from.In(s.loc)).AddDate(0, 0, -1)
	var best time.Time
	for day := civilDate(now.In(s.loc)).AddDate(0, 0, 1); !day.Before(first); day = day.AddDate(0, 0, -1) {
		if !best.IsZero() && day.Before(civilDate(best.In(s.loc)).AddDate(0, 0, -1)) {
			break // an earlier date cannot hold a later slot
		}
		for _, slot := range s.slotsOn(day) {
			if slot.After(from) && !slot.After(now) && slot.After(best) {
				best = slot
			}
		}
	}
	return best, !best.IsZero()
}

// starBit is robfig/cron's marker for a field written as * or ?.
const starBit = 1 << 63

// slotsOn lists the instants s fires on one local calendar date (given as
// midnight UTC of that date).
func (s Schedule) slotsOn(day time.Time) []time.Time {
	b := s.bits
	if b.Month&(1<<uint(day.Month())) == 0 {
		return nil
	}
	domMatch := b.Dom&(1<<uint(day.Day())) != 0
	dowMatch := b.Dow&(1<<uint(day.Weekday())) != 0
	// Standard cron: when both day fields are restricted, either may match.
	if b.Dom&starBit != 0 || b.Dow&starBit != 0 {
		if !domMatch || !dowMatch {
			return nil
		}
	} else if !domMatch && !dowMatch {
		return nil
	}
	var out []time.Time
	for _, h := range setBits(b.Hour, 0, 23) {
		for _, m := range setBits(b.Minute, 0, 59) {
			out = append(out, wallClock(day.Year(), day.Month(), day.Day(), h, m, s.loc))
		}
	}
	return out
}

// wallClock returns the instant the clocks in loc show the given date and
// time. A time that happens twice resolves to its first occurrence; a time
// the clocks skip resolves to the moment they jump past it.
func wallClock(year int, month time.Month, day, hour, minute int, loc *time.Location) time.Time {
	naive := time.Date(year, month, day, hour, minute, 0, 0, time.UTC)
	// The offsets in effect around that day: two, when it holds a change.
	_, before := naive.Add(-36 * time.Hour).In(loc).Zone()
	_, after := naive.Add(36 * time.Hour).In(loc).Zone()
	var found time.Time
	for _, off := range []int{before, after} {
		t := naive.Add(-time.Duration(off) * time.Second)
		l := t.In(loc)
		if l.Year() == year && l.Month() == month && l.Day() == day && l.Hour() == hour && l.Minute() == minute {
			if found.IsZero() || t.Before(found) {
				found = t
			}
		}
	}
	if !found.IsZero() {
		return found
	}
	// Skipped: under the later offset the instant falls just before the
	// jump; the zone in effect then ends exactly at the jump.
	_, end := naive.Add(-time.Duration(after) * time.Second).In(loc).ZoneBounds()
	if end.IsZero() {
		return time.Date(year, month, day, hour, minute, 0, 0, loc)
	}
	return end
}

// civilDate is t's calendar date, as midnight UTC (safe to step by days).
func civilDate(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// setBits lists the values lo..hi set in a cron field.
func setBits(field uint64, lo, hi int) []int {
	var out []int
	for v := lo; v <= hi; v++ {
		if field&(1<<uint(v)) != 0 {
			out = append(out, v)
		}
	}
	return out
}

// joinAnd joins words as "a", "a and b", "a, b and c".
func joinAnd(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// Times returns the next n times after t, fewer if the schedule ends.
func (s Schedule) Times(after time.Time, n int) []time.Time {
	var times []time.Time
	t := after
	for range n {
		next, ok := s.Next(t)
		if !ok {
			break
		}
		times = append(times, next)
		t = next
	}
	return times
}

// ShortestGap is the shortest time between two of the next n rounds after
// t, so callers can refuse a schedule whose rounds would overlap. ok is
// false when fewer than two rounds come.
func (s Schedule) ShortestGap(after time.Time, n int) (gap time.Duration, ok bool) {
	times := s.Times(after, n)
	for i := 1; i < len(times); i++ {
		if g := times[i].Sub(times[i-1]); !ok || g < gap {
			gap, ok = g, true
		}
	}
	return gap, ok
}
