package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/db"
)

// Block and action ids of the kudos modal's inputs.
const (
	blockRecipients  = "recipients"
	actionRecipients = "users"
	blockMessage     = "message"
	actionMessage    = "text"
	blockValue       = "value"
	actionValue      = "value"
	blockPrivate     = "private"
	actionPrivate    = "private"
	optionPrivate    = "private"
)

// kudosModalState travels in the modal's private_metadata.
type kudosModalState struct {
	Source  db.Source `json:"source"`
	Channel string    `json:"channel,omitempty"`
	TS      string    `json:"ts,omitempty"`
	Author  string    `json:"author,omitempty"`
}

// openKudosModal opens the kudos form; it must run within 3 s of the
// trigger, so it does one quick read and one Slack call.
func (b *Bot) openKudosModal(ctx context.Context, triggerID string, st kudosModalState) error {
	known, err := b.store.Values(ctx)
	if err != nil {
		return err
	}
	settings, err := b.store.KudosSettings(ctx)
	if err != nil {
		return err
	}
	view, err := kudosModal(st, known, settings)
	if err != nil {
		return err
	}
	if _, err := b.api.OpenViewContext(ctx, triggerID, view); err != nil {
		return fmt.Errorf("open kudos modal: %w", err)
	}
	return nil
}

func kudosModal(st kudosModalState, known []db.Value, settings db.KudosSettings) (slack.ModalViewRequest, error) {
	meta, err := json.Marshal(st)
	if err != nil {
		return slack.ModalViewRequest{}, fmt.Errorf("encode modal state: %w", err)
	}
	users := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser,
		slack.NewTextBlockObject(slack.PlainTextType, "Choose people", false, false), actionRecipients)
	maxPeople := db.MaxKudosRecipients
	users.MaxSelectedItems = &maxPeople
	if st.Author != "" {
		users.InitialUsers = []string{st.Author}
	}
	message := slack.NewPlainTextInputBlockElement(
		slack.NewTextBlockObject(slack.PlainTextType, "What did they do that made a difference?", false, false), actionMessage)
	message.Multiline = true
	message.MaxLength = db.MaxKudosMessage

	blocks := []slack.Block{}
	if st.Source == db.SourceShortcut {
		blocks = append(blocks, slack.NewContextBlock("context",
			slack.NewTextBlockObject(slack.MarkdownType, "Kudos for a message — a link to it will be included.", false, false)))
	}
	blocks = append(blocks,
		slack.NewInputBlock(blockRecipients, slack.NewTextBlockObject(slack.PlainTextType, "Who", false, false), nil, users),
		slack.NewInputBlock(blockMessage, slack.NewTextBlockObject(slack.PlainTextType, "Message", false, false), nil, message),
	)
	if len(known) > 0 {
		options := make([]*slack.OptionBlockObject, 0, len(known))
		for _, v := range known {
			desc := (*slack.TextBlockObject)(nil)
			if v.Description != "" {
				desc = slack.NewTextBlockObject(slack.PlainTextType, truncate(v.Description, 75), false, false)
			}
			options = append(options, slack.NewOptionBlockObject(v.Name,
				slack.NewTextBlockObject(slack.PlainTextType, "#"+v.Name, false, false), desc))
		}
		if len(options) > 100 {
			options = options[:100]
		}
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic,
			slack.NewTextBlockObject(slack.PlainTextType, "Pick a value", false, false), actionValue, options...)
		input := slack.NewInputBlock(blockValue, slack.NewTextBlockObject(slack.PlainTextType, "Company value", false, false), nil, sel)
		input.Optional = !settings.RequireValue
		blocks = append(blocks, input)
	}
	private := slack.NewCheckboxGroupsBlockElement(actionPrivate, slack.NewOptionBlockObject(optionPrivate,
		slack.NewTextBlockObject(slack.PlainTextType, "Private — only the recipients see it", false, false), nil))
	privateInput := slack.NewInputBlock(blockPrivate, slack.NewTextBlockObject(slack.PlainTextType, "Visibility", false, false), nil, private)
	privateInput.Optional = true
	blocks = append(blocks, privateInput)

	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackKudosModal,
		Title:           slack.NewTextBlockObject(slack.PlainTextType, "Give kudos", false, false),
		Submit:          slack.NewTextBlockObject(slack.PlainTextType, "Send", false, false),
		Close:           slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false),
		Blocks:          slack.Blocks{BlockSet: blocks},
		PrivateMetadata: string(meta),
	}, nil
}

// submitKudosModal records the kudos from a submitted modal. Problems are
// shown next to the field they concern; the modal stays open, nothing lost.
func (b *Bot) submitKudosModal(ctx context.Context, cb slack.InteractionCallback) (any, error) {
	var st kudosModalState
	if cb.View.PrivateMetadata != "" {
		if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &st); err != nil {
			return nil, fmt.Errorf("decode modal state: %w", err)
		}
	}
	if st.Source == "" {
		st.Source = db.SourceModal
	}
	values := cb.View.State.Values
	recipients := slices.Clone(values[blockRecipients][actionRecipients].SelectedUsers)
	message := values[blockMessage][actionMessage].Value
	value := values[blockValue][actionValue].SelectedOption.Value
	private := false
	for _, o := range values[blockPrivate][actionPrivate].SelectedOptions {
		private = private || o.Value == optionPrivate
	}

	giver, refusal, err := b.checkPeople(ctx, cb.User.ID, recipients)
	if err != nil {
		return nil, err
	}
	if refusal != "" {
		return fieldError(blockRecipients, refusal), nil
	}
	req := kudosRequest{
		key:        "view:" + cb.View.ID,
		giverID:    cb.User.ID,
		recipients: recipients,
		message:    message,
		value:      value,
		private:    private,
		source:     st.Source,
		channel:    st.Channel,
		ts:         st.TS,
	}
	return b.once(ctx, req.key, func(tx *sqlx.Tx) (any, bool, error) {
		out, err := b.give(ctx, tx, req, giver)
		if err != nil {
			return nil, false, err
		}
		if out.refusal != "" {
			return fieldError(refusalBlock(out.reason), out.refusal), false, nil
		}
		return nil, true, nil // close the modal; the confirmation comes by DM
	})
}

// refusalBlock picks the modal field a refusal is about.
func refusalBlock(reason db.RefusalReason) string {
	switch reason {
	case db.RefusedUnknownValue, db.RefusedValueRequired:
		return blockValue
	case db.RefusedNoMessage, db.RefusedTooLong:
		return blockMessage
	}
	return blockRecipients
}

// fieldError keeps the modal open with text under one field.
func fieldError(block, text string) *slack.ViewSubmissionResponse {
	return slack.NewErrorsViewSubmissionResponse(map[string]string{block: text})
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
