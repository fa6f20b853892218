package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/db"
)

// DeliverKudos posts a recorded kudos: to the kudos channel when public, a
// DM to each recipient, and a confirmation to the giver when the surface
// they used had no answer of its own. Each message is recorded once posted,
// so a retried job posts only what is missing. It returns the people whose
// App Home changed.
func (b *Bot) DeliverKudos(ctx context.Context, kudosID int64) ([]string, error) {
	k, err := b.store.Kudos(ctx, kudosID)
	if err != nil {
		return nil, err
	}
	people := append([]string{k.GiverID}, k.Recipients...)
	if k.RevokedAt.Valid {
		return people, nil // taken back before it went out
	}
	done, err := b.store.KudosDeliveries(ctx, kudosID)
	if err != nil {
		return nil, err
	}
	delivered := func(target string) bool {
		return slices.ContainsFunc(done, func(d db.Delivery) bool { return d.Target == target })
	}
	settings, err := b.store.KudosSettings(ctx)
	if err != nil {
		return nil, err
	}
	link := b.permalink(ctx, k)
	body := kudosBody(k, link)

	if !k.Private && settings.Channel != "" && !delivered("channel") {
		text := fmt.Sprintf(":%s: <@%s> gave kudos to %s%s", settings.Emoji, k.GiverID, mentions(k.Recipients), valueSuffix(k))
		if err := b.postOrSkip(ctx, kudosID, "channel", settings.Channel, text, body); err != nil {
			return nil, err
		}
	}
	for _, r := range k.Recipients {
		target := "dm:" + r
		if delivered(target) {
			continue
		}
		text := fmt.Sprintf(":%s: <@%s> gave you kudos%s", settings.Emoji, k.GiverID, valueSuffix(k))
		if k.Private {
			text += " (privately — only you can see this)"
		}
		if err := b.postOrSkip(ctx, kudosID, target, r, text, body+"\n_All your kudos are in Hearth's Home tab._"); err != nil {
			return nil, err
		}
	}
	if k.Source != db.SourceCommand && !delivered("giver") {
		if err := b.confirmToGiver(ctx, k, settings); err != nil {
			return nil, err
		}
	}
	return people, nil
}

// confirmToGiver tells the giver their kudos went out and what is left of
// today's allowance: in the channel (ephemeral) for a reaction, by DM for
// the modal and shortcut.
func (b *Bot) confirmToGiver(ctx context.Context, k db.Kudos, settings db.KudosSettings) error {
	giver, err := b.user(ctx, k.GiverID)
	if err != nil {
		return err
	}
	left, err := b.store.AllowanceLeft(ctx, k.GiverID, b.now(), giver.Location())
	if err != nil {
		return err
	}
	if k.Source == db.SourceReaction {
		text := fmt.Sprintf("Your :%s: gave %s kudos. %s", settings.Emoji, mentions(k.Recipients), allowanceText(left, settings.Allowance))
		if _, err := b.api.PostEphemeralContext(ctx, k.SourceChannel, k.GiverID, slack.MsgOptionText(text, false)); err != nil {
			if de := classify("confirm reaction kudos", err).(*deliveryError); !de.Permanent() {
				return de
			}
		}
		return b.store.RecordKudosDelivery(ctx, k.ID, db.Delivery{Target: "giver"})
	}
	text := confirmationText(db.GiveResult{Kudos: k, Remaining: left}, settings)
	return b.postOrSkip(ctx, k.ID, "giver", k.GiverID, text, "")
}

// postOrSkip posts like post, but a message Slack will never accept (the
// channel is gone, the person cannot get DMs) is recorded as skipped so it
// does not block the others.
func (b *Bot) postOrSkip(ctx context.Context, kudosID int64, target, channel, text, body string) error {
	err := b.post(ctx, kudosID, target, channel, text, body)
	var de *deliveryError
	if errors.As(err, &de) && de.Permanent() {
		b.log.Warn("kudos message not deliverable; skipped", "kudos_id", kudosID, "target_kind", strings.SplitN(target, ":", 2)[0], "error", slackErrorCode(err))
		return b.store.RecordKudosDelivery(ctx, kudosID, db.Delivery{Target: target})
	}
	return err
}

// post sends one kudos message and records it.
func (b *Bot) post(ctx context.Context, kudosID int64, target, channel, text, body string) error {
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if body != "" {
		opts = append(opts, slack.MsgOptionBlocks(
			slack.NewSectionBlock(md(text), nil, nil),
			slack.NewSectionBlock(md(body), nil, nil),
		))
	}
	ch, ts, err := b.api.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return classify("post kudos "+target, err)
	}
	return b.store.RecordKudosDelivery(ctx, kudosID, db.Delivery{Target: target, ChannelID: ch, MessageTS: ts})
}

// RetractKudos deletes the channel post of a kudos taken back, and tells
// the recipients' DMs it was withdrawn. It returns the people whose App
// Home changed.
func (b *Bot) RetractKudos(ctx context.Context, kudosID int64) ([]string, error) {
	k, err := b.store.Kudos(ctx, kudosID)
	if err != nil {
		return nil, err
	}
	done, err := b.store.KudosDeliveries(ctx, kudosID)
	if err != nil {
		return nil, err
	}
	for _, d := range done {
		if d.MessageTS == "" {
			continue
		}
		if _, _, err := b.api.DeleteMessageContext(ctx, d.ChannelID, d.MessageTS); err != nil {
			if de := classify("retract kudos", err).(*deliveryError); !de.Permanent() {
				return nil, de
			}
		}
	}
	return append([]string{k.GiverID}, k.Recipients...), nil
}

// PostEphemeral shows text to one person in a channel.
func (b *Bot) PostEphemeral(ctx context.Context, channelID, userID, text string) error {
	_, err := b.api.PostEphemeralContext(ctx, channelID, userID, slack.MsgOptionText(text, false))
	return classify("post ephemeral", err)
}

// permalink links to the message a shortcut or reaction kudos is about, or "".
func (b *Bot) permalink(ctx context.Context, k db.Kudos) string {
	if k.SourceChannel == "" || k.SourceTS == "" {
		return ""
	}
	link, err := b.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: k.SourceChannel, Ts: k.SourceTS})
	if err != nil {
		b.log.Debug("no permalink for kudos", "kudos_id", k.ID, "error", err)
		return ""
	}
	return link
}

func valueSuffix(k db.Kudos) string {
	if k.Value == "" {
		return ""
	}
	return " · #" + k.Value
}

// kudosBody is the kudos message as a quote, with a link to its message.
func kudosBody(k db.Kudos, link string) string {
	msg := safeMessage(k)
	body := quote(msg)
	if link != "" {
		body += fmt.Sprintf("\n<%s|See the message>", link)
	}
	return body
}

var (
	broadcast = regexp.MustCompile(`<!(here|channel|everyone)(\|[^>]*)?>`)
	subteam   = regexp.MustCompile(`<!subteam\^[A-Z0-9]+(?:\|@?([^>]*))?>`)
)

// safeMessage makes a kudos message safe to repost: text typed in a modal
// is escaped, and no message can ping a whole channel or group.
func safeMessage(k db.Kudos) string {
	msg := k.Message
	if k.Source == db.SourceModal || k.Source == db.SourceShortcut {
		msg = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(msg)
	}
	msg = broadcast.ReplaceAllString(msg, "@$1")
	return subteam.ReplaceAllString(msg, "@$1")
}
