package bot

import (
	"fmt"
	"strings"

	"github.com/hearth-oss/hearth/db"
)

// This file holds the words people read when Hearth says no, kindly.

// refusalText explains a refused kudos and what to do about it.
func refusalText(r *db.Refusal, giver db.User) string {
	switch r.Reason {
	case db.RefusedAllowanceSpent:
		zone := giver.TZ
		if zone == "" {
			zone = "UTC"
		}
		return fmt.Sprintf("You've given all %d of your kudos for today — thank you for noticing people! "+
			"Your allowance refills at midnight your time (%s). Nothing was recorded; try again tomorrow.", r.Allowance, zone)
	case db.RefusedSelf:
		return "Kudos are for recognizing someone else, so you can't give them to yourself. (We're sure you deserve some!)"
	case db.RefusedNoRecipients:
		return "Who should get the kudos? Mention them with @, like `/kudos @jane for covering my Friday shift #teamwork`."
	case db.RefusedTooManyPeople:
		return fmt.Sprintf("A kudos can go to at most %d people at once. Split it into a few, or recognize the whole team in a channel message.", db.MaxKudosRecipients)
	case db.RefusedNoMessage:
		return "Add a few words about what they did — that's what makes kudos mean something. For example: `/kudos @jane for staying late to help with intake`."
	case db.RefusedTooLong:
		return fmt.Sprintf("That message is longer than %d characters. Please shorten it and try again.", db.MaxKudosMessage)
	case db.RefusedUnknownValue:
		return fmt.Sprintf("#%s isn't one of your company values. Use one of %s, or leave the hashtag out.", r.Value, hashtags(r.Values))
	case db.RefusedValueRequired:
		return fmt.Sprintf("Your workspace asks every kudos to name a company value: add one of %s.", hashtags(r.Values))
	}
	return "That kudos couldn't be recorded. Please try again."
}

func hashtags(values []string) string {
	tags := make([]string, len(values))
	for i, v := range values {
		tags[i] = "#" + v
	}
	return joinWords(tags)
}

// mentions renders user ids as Slack mentions, joined in words.
func mentions(ids []string) string {
	ms := make([]string, len(ids))
	for i, id := range ids {
		ms[i] = "<@" + id + ">"
	}
	return joinWords(ms)
}

// joinWords joins "a", "a and b", "a, b and c".
func joinWords(ws []string) string {
	switch len(ws) {
	case 0:
		return ""
	case 1:
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
}

func isAre(n int) string  { return pick(n, "is", "are") }
func itThem(n int) string { return pick(n, "them", "them") }
func heThey(n int) string { return pick(n, "they", "they") }

func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// plural returns "1 kudos" style counts; kudos is its own plural.
func plural(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, pick(n, one, many))
}

// allowanceText says how much of today's allowance is left.
func allowanceText(left, allowance int) string {
	if left == 0 {
		return fmt.Sprintf("That was your last kudos for today (%d a day).", allowance)
	}
	return fmt.Sprintf("You have %d of %d kudos left today.", left, allowance)
}

// withOriginal appends what the person typed, so a refusal loses nothing.
func withOriginal(text, command, original string) string {
	original = strings.TrimSpace(original)
	if original == "" {
		return text
	}
	return text + "\n\nWhat you wrote, so you can copy it: \n>" + command + " " + strings.ReplaceAll(original, "\n", "\n>")
}
