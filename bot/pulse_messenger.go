package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/db"
)

// The methods in this file are what the jobs package needs from Slack for
// pulse rounds (jobs.PulseMessenger). They run in jobs, after any ack; each
// Slack error goes through classify, so a job snoozes on a 429, gives up on
// a permanent failure and retries anything else.

// findDMSlack is how far before since FindPulseDM looks, so a clock
// running ahead of Slack's cannot hide a DM that was posted.
const findDMSlack = 10 * time.Minute

// DMChannel returns where to send a person's DM: the DM channel cached in
// slack_users, or else the user id, which chat.postMessage delivers into
// the DM. conversations.open (Tier 3, ~50 a minute) is not called per
// person: a first round for thousands of people would take hours.
func (b *Bot) DMChannel(ctx context.Context, userID string) (string, error) {
	cached, err := b.store.CachedUser(ctx, userID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return "", err
	}
	if cached.DMChannelID != "" {
		return cached.DMChannelID, nil
	}
	return userID, nil
}

// openDM returns the DM channel id for channelID when it is a user id
// (opening the DM once and caching it), or channelID as it is.
func (b *Bot) openDM(ctx context.Context, channelID string) (string, error) {
	if !strings.HasPrefix(channelID, "U") && !strings.HasPrefix(channelID, "W") {
		return channelID, nil
	}
	ch, _, _, err := b.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{channelID}})
	if err != nil {
		return "", classify("open DM", err)
	}
	if err := b.store.SaveDMChannel(ctx, channelID, ch.ID); err != nil {
		return "", err
	}
	return ch.ID, nil
}

// pulseEventType is the metadata event type of a pulse DM of kind.
func pulseEventType(kind db.DMKind) string {
	if kind == db.DMReminder {
		return MetadataPulseReminder
	}
	return MetadataPulse
}

// pulseMetadata tags a pulse DM so FindPulseDM can recognize it.
func pulseMetadata(roundID int64, kind db.DMKind) slack.SlackMetadata {
	return slack.SlackMetadata{EventType: pulseEventType(kind), EventPayload: map[string]any{"round_id": roundID}}
}

// FindPulseDM looks in a DM channel, from since on, for the pulse DM (or
// reminder) of roundID that Hearth already posted, by its metadata, and
// returns the DM channel and the DM's ts, or "" when there is none.
// channelID may be a user id: the DM is then opened to read its history.
func (b *Bot) FindPulseDM(ctx context.Context, channelID string, roundID int64, kind db.DMKind, since time.Time) (string, string, error) {
	channelID, err := b.openDM(ctx, channelID)
	if err != nil {
		return "", "", err
	}
	params := &slack.GetConversationHistoryParameters{
		ChannelID:          channelID,
		Oldest:             slackTS(since.Add(-findDMSlack)),
		Inclusive:          true,
		Limit:              200,
		IncludeAllMetadata: true,
	}
	want := pulseEventType(kind)
	for {
		page, err := b.api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return "", "", classify("read DM history", err)
		}
		for _, m := range page.Messages {
			if m.BotID != "" && m.Metadata.EventType == want && payloadRound(m.Metadata.EventPayload) == roundID {
				return channelID, m.Timestamp, nil
			}
		}
		if !page.HasMore || page.ResponseMetaData.NextCursor == "" {
			return channelID, "", nil
		}
		params.Cursor = page.ResponseMetaData.NextCursor
	}
}

// payloadRound reads round_id from a metadata payload, or -1.
func payloadRound(payload map[string]any) int64 {
	switch v := payload["round_id"].(type) {
	case float64:
		return int64(v)
	case json.Number:
		n, err := v.Int64()
		if err == nil {
			return n
		}
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			return n
		}
	}
	return -1
}

// slackTS formats t as a Slack timestamp ("1700000000.000000").
func slackTS(t time.Time) string {
	if t.Unix() <= 0 {
		return "0"
	}
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}

// PostPulseDM posts a round's pulse DM (or reminder) to a DM channel or a
// user id, tagged with metadata naming the round, and returns the DM
// channel it landed in (cached for later rounds) and its ts.
func (b *Bot) PostPulseDM(ctx context.Context, channelID string, team db.Team, round db.Round, kind db.DMKind) (string, string, error) {
	landed, ts, err := b.api.PostMessageContext(ctx, channelID,
		slack.MsgOptionText(pulseDMText(team, kind), false),
		slack.MsgOptionBlocks(pulseDMBlocks(team, round, kind)...),
		slack.MsgOptionMetadata(pulseMetadata(round.ID, kind)),
	)
	if err != nil {
		return "", "", classify("post pulse "+string(kind), err)
	}
	if landed != channelID {
		// Posted to the user id: remember the DM channel Slack chose.
		if err := b.store.SaveDMChannel(ctx, channelID, landed); err != nil {
			b.log.Warn("could not cache a DM channel", "error", err)
		}
	}
	return landed, ts, nil
}

// pulseDMBlocks is a pulse DM: what it is, that it is anonymous, and the
// button that opens the questions.
func pulseDMBlocks(team db.Team, round db.Round, kind db.DMKind) []slack.Block {
	button := slack.NewButtonBlockElement(ActionPulseOpen, strconv.FormatInt(round.ID, 10), plain("Answer the pulse"))
	button.Style = slack.StylePrimary
	blocks := []slack.Block{slack.NewSectionBlock(md(pulseDMBody(team, kind)), nil, nil)}
	if kind == db.DMPulse {
		blocks = append(blocks, slack.NewSectionBlock(md(anonymityLine(team.MinGroup)), nil, nil))
	}
	return append(blocks,
		slack.NewActionBlock("pulse", button),
		slack.NewContextBlock("pulse_footer", md(pulseDMFooter(round.ClosesAt))),
	)
}

// MarkPulseAnswered updates a person's pulse DM to thank them: no button,
// and when the team's summary will be posted, in their time zone. A
// reminder they got is updated too, so no stale button is left.
func (b *Bot) MarkPulseAnswered(ctx context.Context, team db.Team, round db.Round, recipient db.Recipient) error {
	if recipient.DMChannelID == "" || recipient.DMTS == "" {
		return nil // the DM never went out: nothing to update
	}
	loc := time.UTC
	if u, err := b.user(ctx, recipient.UserID); err == nil {
		loc = u.Location()
	} else if !errors.Is(err, errUnknownUser) {
		return classify("look up recipient", err)
	}
	thanks := pulseThanks(team, round, loc)
	_, _, _, err := b.api.UpdateMessageContext(ctx, recipient.DMChannelID, recipient.DMTS,
		slack.MsgOptionText("Thank you — your anonymous answers are in.", false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(md(thanks), nil, nil)),
		slack.MsgOptionMetadata(pulseMetadata(round.ID, db.DMPulse)),
	)
	if err != nil {
		return classify("update answered pulse DM", err)
	}
	if recipient.RemindTS == "" {
		return nil
	}
	_, _, _, err = b.api.UpdateMessageContext(ctx, recipient.DMChannelID, recipient.RemindTS,
		slack.MsgOptionText(pulseAnsweredReminder, false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(md(pulseAnsweredReminder), nil, nil)),
		slack.MsgOptionMetadata(pulseMetadata(round.ID, db.DMReminder)),
	)
	if err := classify("update answered pulse reminder", err); err != nil && !err.(*deliveryError).Permanent() {
		return err
	}
	return nil
}

// PostRoundSummary posts the anonymized summary of a closed round to the
// team's summary channel, with its trend chart (see postSummary).
func (b *Bot) PostRoundSummary(ctx context.Context, team db.Team, round db.Round) error {
	return b.postSummary(ctx, team, round)
}
