package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/db"
)

// HandleInteraction answers shortcuts, button clicks and modal submissions.
// The answer (possibly nil, for an empty ack) is what the transport
// acknowledges with.
func (b *Bot) HandleInteraction(ctx context.Context, cb slack.InteractionCallback) (any, error) {
	ctx, cancel := context.WithTimeout(ctx, ackBudget)
	defer cancel()
	switch cb.Type {
	case slack.InteractionTypeShortcut:
		if cb.CallbackID == CallbackGlobalKudos {
			return nil, b.openKudosModal(ctx, cb.TriggerID, kudosModalState{Source: db.SourceModal})
		}
	case slack.InteractionTypeMessageAction:
		if cb.CallbackID == CallbackMessageKudos {
			st := kudosModalState{Source: db.SourceShortcut, Channel: cb.Channel.ID, TS: cb.Message.Timestamp}
			if author := cb.Message.User; author != "" && author != cb.User.ID && cb.Message.BotID == "" {
				st.Author = author
			}
			return nil, b.openKudosModal(ctx, cb.TriggerID, st)
		}
	case slack.InteractionTypeBlockActions:
		for _, a := range cb.ActionCallback.BlockActions {
			switch a.ActionID {
			case ActionOpenKudosModal:
				return nil, b.openKudosModal(ctx, cb.TriggerID, kudosModalState{Source: db.SourceModal})
			case ActionPulseOpen:
				return nil, b.openPulse(ctx, cb.TriggerID, cb.User.ID, a.Value)
			}
		}
		return nil, nil // other buttons (links) need only the ack
	case slack.InteractionTypeViewSubmission:
		switch cb.View.CallbackID {
		case CallbackKudosModal:
			return b.submitKudosModal(ctx, cb)
		case CallbackPulseModal:
			return b.submitPulse(ctx, cb)
		case CallbackTeamModal:
			return b.submitTeamModal(ctx, cb)
		}
	case slack.InteractionTypeViewClosed:
		return nil, nil
	}
	b.log.Warn("unhandled interaction", "type", cb.Type, "callback_id", cb.CallbackID)
	return nil, fmt.Errorf("unhandled interaction %s/%s", cb.Type, cb.CallbackID)
}
