package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/slack-go/slack/slackevents"

	"github.com/hearth-oss/hearth/db"
)

// HandleEvent handles one Events API event. eventID is the envelope's
// event_id, the key that makes a redelivery act once. An error means the
// event was not handled and Slack should deliver it again.
func (b *Bot) HandleEvent(ctx context.Context, eventID string, inner slackevents.EventsAPIInnerEvent) error {
	ctx, cancel := context.WithTimeout(ctx, ackBudget)
	defer cancel()
	switch ev := inner.Data.(type) {
	case *slackevents.ReactionAddedEvent:
		return b.reactionAdded(ctx, eventID, ev)
	case *slackevents.ReactionRemovedEvent:
		return b.reactionRemoved(ctx, eventID, ev)
	case *slackevents.AppHomeOpenedEvent:
		if ev.Tab != "home" {
			return nil
		}
		_, err := b.once(ctx, "evt:"+eventID, func(tx *sqlx.Tx) (any, bool, error) {
			return nil, true, b.queue.EnqueueHomeRefresh(ctx, tx.Tx, ev.User)
		})
		return err
	}
	b.log.Debug("ignored event", "type", inner.Type)
	return nil
}

// reactionName drops a skin-tone suffix: "raised_hands::skin-tone-3" → "raised_hands".
func reactionName(r string) string {
	name, _, _ := strings.Cut(r, "::")
	return name
}

func (b *Bot) isKudosReaction(ctx context.Context, reaction, itemType string) (bool, error) {
	if itemType != "message" {
		return false, nil
	}
	settings, err := b.store.KudosSettings(ctx)
	if err != nil {
		return false, err
	}
	return reactionName(reaction) == strings.Trim(settings.Emoji, ":"), nil
}

func (b *Bot) reactionAdded(ctx context.Context, eventID string, ev *slackevents.ReactionAddedEvent) error {
	ok, err := b.isKudosReaction(ctx, ev.Reaction, ev.Item.Type)
	if err != nil || !ok || ev.ItemUser == "" {
		return err
	}
	giver, refusal, err := b.checkPeople(ctx, ev.User, []string{ev.ItemUser})
	if err != nil {
		return err
	}
	req := kudosRequest{
		key:        "evt:" + eventID,
		giverID:    ev.User,
		recipients: []string{ev.ItemUser},
		message:    fmt.Sprintf("reacted with :%s: to a message", reactionName(ev.Reaction)),
		source:     db.SourceReaction,
		channel:    ev.Item.Channel,
		ts:         ev.Item.Timestamp,
	}
	_, err = b.once(ctx, req.key, func(tx *sqlx.Tx) (any, bool, error) {
		if refusal != "" {
			return nil, true, b.queue.EnqueueEphemeral(ctx, tx.Tx, ev.Item.Channel, ev.User, refusal)
		}
		out, err := b.give(ctx, tx, req, giver)
		if errors.Is(err, db.ErrConflict) {
			return nil, false, nil // this giver's kudos for this message already stands
		}
		if err != nil {
			return nil, false, err
		}
		if out.refusal != "" {
			// Nothing was recorded; the notice is the only write, so the
			// refusal itself is what we commit.
			return nil, true, b.queue.EnqueueEphemeral(ctx, tx.Tx, ev.Item.Channel, ev.User,
				fmt.Sprintf("Your :%s: reaction didn't count as kudos: %s", reactionName(ev.Reaction), out.refusal))
		}
		return nil, true, nil
	})
	return err
}

func (b *Bot) reactionRemoved(ctx context.Context, eventID string, ev *slackevents.ReactionRemovedEvent) error {
	ok, err := b.isKudosReaction(ctx, ev.Reaction, ev.Item.Type)
	if err != nil || !ok {
		return err
	}
	giver, err := b.user(ctx, ev.User)
	if err != nil {
		return err
	}
	_, err = b.once(ctx, "evt:"+eventID, func(tx *sqlx.Tx) (any, bool, error) {
		k, err := db.RevokeReactionKudos(ctx, tx, ev.User, ev.Item.Channel, ev.Item.Timestamp, b.now(), giver.Location())
		if errors.Is(err, db.ErrNotFound) {
			return nil, true, nil // given on an earlier day, or never counted: it stands
		}
		if err != nil {
			return nil, false, err
		}
		return nil, true, b.queue.EnqueueKudosRetraction(ctx, tx.Tx, k.ID)
	})
	return err
}
