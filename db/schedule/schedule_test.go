package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func mustSchedule(t *testing.T, spec string) Schedule {
	t.Helper()
	s, err := Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestParseScheduleErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ spec, want string }{
		{"", "is empty"},
		{"CRON_TZ=America/Denverr 0 10 * * FRI", `schedule "CRON_TZ=America/Denverr 0 10 * * FRI": unknown time zone "America/Denverr"`},
		{"CRON_TZ= 0 10 * * FRI", "names no time zone"},
		{"CRON_TZ=Local 0 10 * * FRI", "depends on the server"},
		{"CRON_TZ=America/Denver", "no schedule after it"},
		{"0 10 * *", "has 4 fields, want 5"},
		{"0 10 * * * *", "has 6 fields, want 5"},
		{"0 25 * * FRI", `hour field "25" is not valid (use 0–23`},
		{"0 10 * * FRX", `day-of-week field "FRX" is not valid`},
		{"61 10 * * *", `minute field "61"`},
		{"0 10 * 13 *", `month field "13"`},
		{"0 10 30 2 *", "never happens"},
		{"@every 1h", "@every is not supported"},
		{"@fortnightly", "unknown descriptor"},
	}
	for _, c := range cases {
		_, err := Parse(c.spec)
		var se *Error
		if !errors.As(err, &se) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v, want a Error containing %q", c.spec, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q): error spans lines: %q", c.spec, err)
		}
	}
}

func TestScheduleDescribe(t *testing.T) {
	t.Parallel()
	cases := []struct{ spec, want string }{
		{"CRON_TZ=America/Denver 0 10 * * FRI", "Fridays at 10:00 (America/Denver)"},
		{"0 10 * * FRI", "Fridays at 10:00 (UTC)"},
		{"TZ=Europe/London 30 9 * * 1-5", "weekdays at 09:30 (Europe/London)"},
		{"0 9 * * *", "every day at 09:00 (UTC)"},
		{"0 9,15 * * MON,WED,FRI", "Mondays, Wednesdays and Fridays at 09:00 and 15:00 (UTC)"},
		{"0 12 * * SUN,MON", "Mondays and Sundays at 12:00 (UTC)"},
		{"@weekly", "Sundays at 00:00 (UTC)"},
		{"*/15 * * * *", `"*/15 * * * *" (UTC)`},
		{"CRON_TZ=Asia/Tokyo 0 10 1 * *", `"0 10 1 * *" (Asia/Tokyo)`},
	}
	for _, c := range cases {
		if got := mustSchedule(t, c.spec).Describe(); got != c.want {
			t.Errorf("Describe(%q) = %q, want %q", c.spec, got, c.want)
		}
	}
}

// TestScheduleAcrossDaylightSaving: a 10:00 Denver schedule fires at 10:00
// local on both sides of each change, so its UTC time moves by an hour.
func TestScheduleAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	s := mustSchedule(t, "CRON_TZ=America/Denver 0 10 * * *")
	cases := []struct{ after, want string }{
		// Spring forward on Sunday 2025-03-09.
		{"2025-03-08T00:00:00Z", "2025-03-08T17:00:00Z"}, // Saturday, MST (UTC-7)
		{"2025-03-08T17:00:00Z", "2025-03-09T16:00:00Z"}, // Sunday, MDT (UTC-6)
		{"2025-03-09T16:00:00Z", "2025-03-10T16:00:00Z"},
		// Fall back on Sunday 2025-11-02.
		{"2025-11-01T00:00:00Z", "2025-11-01T16:00:00Z"}, // Saturday, MDT
		{"2025-11-01T16:00:00Z", "2025-11-02T17:00:00Z"}, // Sunday, MST
		{"2025-11-02T17:00:00Z", "2025-11-03T17:00:00Z"},
	}
	for _, c := range cases {
		got, ok := s.Next(utc(c.after))
		if !ok || !got.Equal(utc(c.want)) {
			t.Errorf("Next(%s) = %s, want %s", c.after, got.UTC().Format(time.RFC3339), c.want)
		}
		local := got.In(s.Location())
		if local.Hour() != 10 || local.Minute() != 0 {
			t.Errorf("Next(%s) is %s local, want 10:00", c.after, local)
		}
	}

	weekly := mustSchedule(t, "CRON_TZ=America/Denver 0 10 * * FRI")
	for _, c := range []struct{ now, want string }{
		{"2025-03-07T18:00:00Z", "2025-03-07T17:00:00Z"}, // Friday before the change: 17:00 UTC
		{"2025-03-14T18:00:00Z", "2025-03-14T16:00:00Z"}, // Friday after: 16:00 UTC
		{"2025-10-31T18:00:00Z", "2025-10-31T16:00:00Z"},
		{"2025-11-07T18:00:00Z", "2025-11-07T17:00:00Z"},
	} {
		got, ok := LatestSlot(weekly, utc(c.now), 72*time.Hour)
		if !ok || !got.Equal(utc(c.want)) {
			t.Errorf("LatestSlot(%s) = %s, %v; want %s", c.now, got.UTC().Format(time.RFC3339), ok, c.want)
		}
	}
}

// TestScheduleSkippedAndRepeatedTimes: 02:30 does not exist in Denver on
// 2025-03-09 and 01:30 happens twice on 2025-11-02. Each fires exactly once.
func TestScheduleSkippedAndRepeatedTimes(t *testing.T) {
	t.Parallel()
	skipped := mustSchedule(t, "CRON_TZ=America/Denver 30 2 * * *")
	var got []string
	at := utc("2025-03-08T00:00:00Z")
	for range 3 {
		next, ok := skipped.Next(at)
		if !ok {
			t.Fatal("no next time")
		}
		got = append(got, next.UTC().Format(time.RFC3339))
		at = next
	}
	// 02:30 MST; then the jump at 03:00 MDT (09:00 UTC); then 02:30 MDT.
	want := []string{"2025-03-08T09:30:00Z", "2025-03-09T09:00:00Z", "2025-03-10T08:30:00Z"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("02:30 across spring forward: %v, want %v", got, want)
	}
	if slot, ok := LatestSlot(skipped, utc("2025-03-09T12:00:00Z"), 6*time.Hour); !ok || !slot.Equal(utc("2025-03-09T09:00:00Z")) {
		t.Errorf("LatestSlot on the skipped night = %s, %v", slot, ok)
	}

	repeated := mustSchedule(t, "CRON_TZ=America/Denver 30 1 * * *")
	got = nil
	at = utc("2025-11-01T00:00:00Z")
	for range 3 {
		next, _ := repeated.Next(at)
		got = append(got, next.UTC().Format(time.RFC3339))
		at = next
	}
	// 01:30 MDT, 01:30 MDT (the first of two), 01:30 MST: never twice a night.
	want = []string{"2025-11-01T07:30:00Z", "2025-11-02T07:30:00Z", "2025-11-03T08:30:00Z"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("01:30 across fall back: %v, want %v", got, want)
	}
}

func TestLatestSlotWindow(t *testing.T) {
	t.Parallel()
	s := mustSchedule(t, "0 10 * * FRI") // UTC
	friday := utc("2030-03-08T10:00:00Z")
	cases := []struct {
		now    time.Time
		window time.Duration
		want   time.Time
		ok     bool
	}{
		{friday, 72 * time.Hour, friday, true}, // the slot itself is included
		{friday.Add(-time.Second), 72 * time.Hour, time.Time{}, false},
		{friday.Add(2 * time.Hour), 72 * time.Hour, friday, true},                            // caught up
		{friday.Add(4 * 24 * time.Hour), 72 * time.Hour, time.Time{}, false},                 // too late
		{friday.Add(72 * time.Hour), 72 * time.Hour, time.Time{}, false},                     // (now-window, now]
		{friday.Add(72*time.Hour - time.Second), 72 * time.Hour, friday, true},               //
		{friday.Add(8 * 24 * time.Hour), 14 * 24 * time.Hour, friday.AddDate(0, 0, 7), true}, // the latest of two
		{friday, 0, time.Time{}, false},
	}
	for _, c := range cases {
		got, ok := LatestSlot(s, c.now, c.window)
		if ok != c.ok || !got.Equal(c.want) {
			t.Errorf("LatestSlot(%s, %s) = %s, %v; want %s, %v", c.now, c.window, got, ok, c.want, c.ok)
		}
	}
	every := mustSchedule(t, "* * * * *")
	now := utc("2030-03-08T10:00:42Z")
	if got, ok := LatestSlot(every, now, 14*24*time.Hour); !ok || !got.Equal(utc("2030-03-08T10:00:00Z")) {
		t.Errorf("every minute: %s, %v", got, ok)
	}
}
