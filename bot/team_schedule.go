package bot

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hearth-oss/hearth/db/schedule"
)

// schedulePreset is a friendly name for a common cron spec.
type schedulePreset struct {
	label string
	spec  string // five cron fields, read in the team's time zone
}

// schedulePresets are the schedules offered in the team modal.
var schedulePresets = []schedulePreset{
	{"Mondays 10:00", "0 10 * * MON"},
	{"Tuesdays 10:00", "0 10 * * TUE"},
	{"Wednesdays 10:00", "0 10 * * WED"},
	{"Thursdays 10:00", "0 10 * * THU"},
	{"Fridays 10:00", "0 10 * * FRI"},
	{"Mondays 09:00", "0 9 * * MON"},
	{"Fridays 14:00", "0 14 * * FRI"},
}

// presetCustom is the schedule option that uses the cron field.
const presetCustom = "custom"

// teamSchedule is a cron spec and its time zone, as stored:
// "CRON_TZ=America/Denver 0 10 * * FRI".
type teamSchedule struct {
	expr string
	tz   string
}

func (s teamSchedule) String() string { return "CRON_TZ=" + s.tz + " " + s.expr }

// splitSchedule reads a stored schedule; a spec without a time zone runs in UTC.
func splitSchedule(spec string) teamSchedule {
	spec = strings.Join(strings.Fields(spec), " ")
	first, rest, _ := strings.Cut(spec, " ")
	if name, ok := strings.CutPrefix(first, "CRON_TZ="); ok {
		return teamSchedule{expr: rest, tz: name}
	}
	if name, ok := strings.CutPrefix(first, "TZ="); ok {
		return teamSchedule{expr: rest, tz: name}
	}
	return teamSchedule{expr: spec, tz: "UTC"}
}

// describe names a schedule for people: a preset's label, or the cron spec.
func (s teamSchedule) describe() string {
	for _, p := range schedulePresets {
		if p.spec == s.expr {
			return fmt.Sprintf("%s (%s)", p.label, s.tz)
		}
	}
	return fmt.Sprintf("`%s` (%s)", s.expr, s.tz)
}

// checkTimeZone returns a problem with an IANA time zone name, or "".
func checkTimeZone(name string) string {
	if name == "" || name == "Local" {
		return "Give a time zone name such as America/Denver or Europe/London."
	}
	if _, err := time.LoadLocation(name); err != nil {
		return fmt.Sprintf("%q isn't a time zone Hearth knows. Use a name such as America/Denver or Europe/London.", name)
	}
	return ""
}

// checkCron returns a problem with five cron fields, or "".
func checkCron(expr string) string {
	expr = strings.Join(strings.Fields(expr), " ")
	switch {
	case expr == "":
		return "Write a schedule in cron form, like `0 10 * * FRI` (Fridays at 10:00)."
	case strings.HasPrefix(expr, "CRON_TZ=") || strings.HasPrefix(expr, "TZ="):
		return "Leave the time zone out of the schedule: set it in the Time zone field."
	case strings.HasPrefix(expr, "@every"):
		return "@every isn't supported: rounds follow the calendar. Write five fields like `0 10 * * FRI`."
	}
	if _, err := schedule.Parse(expr); err != nil {
		reason := ""
		var se *schedule.Error
		if errors.As(err, &se) {
			reason = " (" + se.Reason + ")"
		}
		return "That isn't a schedule Hearth can read" + reason + ". Write five fields — minute hour day-of-month month weekday — " +
			"like `0 10 * * FRI` (Fridays at 10:00) or `30 9 * * TUE` (Tuesdays at 9:30)."
	}
	return ""
}

// scheduleTimes returns the next n times s opens a round after now; an
// error means it cannot be parsed.
func scheduleTimes(s teamSchedule, now time.Time, n int) ([]time.Time, error) {
	sched, err := schedule.Parse(s.String())
	if err != nil {
		return nil, err
	}
	return sched.Times(now, n), nil
}

// checkCadence returns a problem when s never runs, or runs so often that
// a round would still be open when the next one is due.
func checkCadence(s teamSchedule, openFor time.Duration, now time.Time) string {
	times, err := scheduleTimes(s, now, 30)
	if err != nil {
		return "That isn't a schedule Hearth can read."
	}
	if len(times) == 0 {
		return "This schedule never comes round (check the day and month). Try something like `0 10 * * FRI`."
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < openFor {
			return fmt.Sprintf("Rounds would open %s apart, but each stays open %s, so one would still be open when the next is due. "+
				"Choose a less frequent schedule or a shorter open time.", roughly(gap), durationWords(openFor))
		}
	}
	return ""
}
