package bot

import (
	"fmt"
	"math"
	"time"

	"github.com/hearth-oss/hearth/db"
)

// This file holds the words of a pulse: the DM, the reminder, the thanks,
// the modal, and the kind answers when a pulse can no longer be answered.
// None of them ever names who answered or what anyone said.

// anonymityLine says what "anonymous" means, with the team's threshold.
func anonymityLine(minGroup int) string {
	return fmt.Sprintf(":lock: *Anonymous.* Your answers are stored without your name, so nobody can see what you said — "+
		"not your manager, not an admin, not Hearth. Managers only see team totals, and only when at least %d people answered.", minGroup)
}

// pulseDMText is the fallback text (notifications, screen readers) of a pulse DM.
func pulseDMText(team db.Team, kind db.DMKind) string {
	if kind == db.DMReminder {
		return "A gentle reminder: this week's anonymous wellness pulse is still open — about a minute, if you have one."
	}
	return fmt.Sprintf("Your weekly wellness pulse for <#%s> is here: a few anonymous questions, about a minute.", team.ChannelID)
}

// pulseDMBody is the main text of a pulse DM.
func pulseDMBody(team db.Team, kind db.DMKind) string {
	if kind == db.DMReminder {
		return ":hourglass_flowing_sand: A gentle reminder: this week's wellness pulse is still open. " +
			"If you have a minute, your answers help your team — and if not, that's fine too."
	}
	return fmt.Sprintf(":wave: *Your weekly wellness pulse is here.*\n"+
		"A few quick questions about how work is going for you and your team in <#%s>. It takes about a minute.", team.ChannelID)
}

// pulseDMFooter says until when the pulse is open (in the reader's own time
// zone, rendered by Slack) and how to stop receiving pulses.
func pulseDMFooter(closesAt time.Time) string {
	return fmt.Sprintf("Open until %s. Rather not get these? `/hearth pulse off` stops them, no questions asked.", slackDate(closesAt))
}

// slackDate renders t in each reader's own time zone, with a UTC fallback
// for clients that cannot.
func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_long_pretty} at {time}|%s>", t.Unix(), t.UTC().Format("Monday, January 2 at 15:04 UTC"))
}

// localTime renders t in loc for a sentence: "Thursday, March 7 at 10:00 (America/Denver)".
func localTime(t time.Time, loc *time.Location) string {
	return fmt.Sprintf("%s (%s)", t.In(loc).Format("Monday, January 2 at 15:04"), loc.String())
}

// pulseThanks is what a person reads once they answered: in the DM, and in
// the modal right after sending.
func pulseThanks(team db.Team, round db.Round, loc *time.Location) string {
	return fmt.Sprintf(":white_check_mark: *Thank you — your answers are in.*\n"+
		"They're anonymous: stored without your name, so they can't be edited or retrieved later — not by you, your manager or Hearth.\n"+
		"Your team's summary goes to its managers when the pulse closes, on %s — if at least %d people answered.",
		localTime(round.ClosesAt, loc), team.MinGroup)
}

// pulseAnsweredReminder replaces a reminder's button once the person answered.
const pulseAnsweredReminder = ":white_check_mark: You've answered this pulse — thank you."

// Kind answers when a pulse cannot be answered. Each says nothing was recorded.
func pulseClosedText(round db.Round, loc *time.Location) string {
	closed := round.ClosesAt
	if round.ClosedAt.Valid && round.ClosedAt.Time.Before(closed) {
		closed = round.ClosedAt.Time
	}
	return fmt.Sprintf("Thanks for wanting to answer! This pulse closed on %s, so it can't take answers any more, and nothing was recorded. "+
		"The next one will come to your DMs as usual.", localTime(closed, loc))
}

const (
	pulseAlreadyAnsweredText = "You've already answered this pulse — thank you! Answers are anonymous, stored without your name, " +
		"so they can't be seen or changed afterwards, not even by you. Nothing new was recorded. The next pulse will come to your DMs."
	pulseNotRecipientText = "This pulse wasn't sent to you, so there's nothing to answer here and nothing was recorded. " +
		"Pulses go to the people in a team's channel when its round opens (unless they opted out)."
	pulseGoneText  = "This pulse no longer exists — its team was removed from Hearth. Nothing was recorded."
	pulseSorryText = "Sorry — something went wrong on Hearth's side and your answers were not recorded. " +
		"Please press Send again in a moment; nothing you chose is lost."
)

// Words of the pulse modal.
const (
	pulseModalTitle  = "Weekly pulse"
	pulseModalSubmit = "Send anonymously"
	pulseModalClose  = "Not now"
	pulseCommentHint = "Shown to managers only when enough people leave a comment (at least 3, in a round where enough people answered), " +
		"shuffled and undated, never next to anyone's scores. Leave out names or details that would identify you or anyone else."
)

// agreeLabels are the five points of the agreement scale, lowest first.
var agreeLabels = [5]string{"Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"}

// Opt-out answers.
const (
	pulseOffText = "Done — Hearth won't send you wellness pulses any more, and no reminder for a pulse that's already open. " +
		"No need to explain: choosing what you answer is part of looking after yourself. " +
		"If you change your mind, `/hearth pulse on` brings them back."
	pulseOnText = ":hugs: Welcome back! You'll get Hearth's short, anonymous wellness pulse from your team's next round on. " +
		"`/hearth pulse off` stops them at any time."
	pulseStateOnText = "You're getting Hearth's weekly wellness pulses: a few anonymous questions by DM, about a minute. " +
		"`/hearth pulse off` stops them at any time."
	pulseStateOffText = "You've opted out of Hearth's wellness pulses, so none will come to you. " +
		"`/hearth pulse on` turns them back on whenever you like."
)

// roughly says how long d is, rounded to hours or days: "24 hours", "7 days".
func roughly(d time.Duration) string {
	switch {
	case d < time.Hour:
		return "under an hour"
	case d < 36*time.Hour:
		return plural(int(math.Round(d.Hours())), "hour", "hours")
	}
	return plural(int(math.Round(d.Hours()/24)), "day", "days")
}

// durationWords names a setting's duration exactly: "3 days", "36 hours".
func durationWords(d time.Duration) string {
	switch {
	case d > 0 && d%(24*time.Hour) == 0:
		return plural(int(d/(24*time.Hour)), "day", "days")
	case d > 0 && d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour", "hours")
	}
	return d.String()
}
