package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/db"
)

// Block and action ids of the pulse modal. Each question's block is
// questionBlockPrefix + its key.
const (
	questionBlockPrefix = "q_"
	actionAnswer        = "answer"
	blockComment        = "comment"
	actionComment       = "comment"
)

// pulseMaxComment matches what the store keeps of a comment.
const pulseMaxComment = 2000

// Never log answers or comments, at any level: pulse code logs a round id
// and an outcome, nothing else — not even who submitted.

// openPulse answers a click on a DM's "Answer the pulse": the questions
// when the person may answer, otherwise a kind note saying why not. It
// records nothing.
func (b *Bot) openPulse(ctx context.Context, triggerID, userID, value string) error {
	roundID, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return b.openNotice(ctx, triggerID, pulseGoneText)
	}
	round, team, note, err := b.answerable(ctx, roundID, userID)
	if err != nil {
		return err
	}
	if note != "" {
		b.log.Debug("pulse not answerable", "round_id", roundID)
		return b.openNotice(ctx, triggerID, note)
	}
	view, err := pulseModal(team, round)
	if err != nil {
		return err
	}
	if _, err := b.api.OpenViewContext(ctx, triggerID, view); err != nil {
		return fmt.Errorf("open pulse modal: %w", err)
	}
	return nil
}

// answerable checks that userID may answer roundID now. When they may not,
// note says why, kindly.
func (b *Bot) answerable(ctx context.Context, roundID int64, userID string) (db.Round, db.Team, string, error) {
	round, err := b.store.Round(ctx, roundID)
	if errors.Is(err, db.ErrNotFound) {
		return db.Round{}, db.Team{}, pulseGoneText, nil
	}
	if err != nil {
		return db.Round{}, db.Team{}, "", err
	}
	team, err := b.store.Team(ctx, round.TeamID)
	if errors.Is(err, db.ErrNotFound) {
		return db.Round{}, db.Team{}, pulseGoneText, nil
	}
	if err != nil {
		return db.Round{}, db.Team{}, "", err
	}
	rec, err := b.store.Recipient(ctx, roundID, userID)
	switch {
	case errors.Is(err, db.ErrNotRecipient):
		return round, team, pulseNotRecipientText, nil
	case err != nil:
		return db.Round{}, db.Team{}, "", err
	case rec.Answered:
		return round, team, pulseAlreadyAnsweredText, nil
	case !round.Open(b.now()):
		return round, team, pulseClosedText(round, b.location(ctx, userID)), nil
	}
	return round, team, "", nil
}

// location is a person's time zone, or UTC when it cannot be told.
func (b *Bot) location(ctx context.Context, userID string) *time.Location {
	u, err := b.user(ctx, userID)
	if err != nil {
		return time.UTC
	}
	return u.Location()
}

// openNotice opens a modal that only says text.
func (b *Bot) openNotice(ctx context.Context, triggerID, text string) error {
	if _, err := b.api.OpenViewContext(ctx, triggerID, noticeView(text)); err != nil {
		return fmt.Errorf("open pulse notice: %w", err)
	}
	return nil
}

func noticeView(text string) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:   slack.VTModal,
		Title:  plain(pulseModalTitle),
		Close:  plain("OK"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(md(text), nil, nil)}},
	}
}

// pulseModal is the round's questions and a comment box. Its
// private_metadata is the round id.
func pulseModal(team db.Team, round db.Round) (slack.ModalViewRequest, error) {
	blocks := []slack.Block{
		slack.NewSectionBlock(md("About a minute. "+anonymityLine(team.MinGroup)), nil, nil),
	}
	for _, q := range round.Questions {
		el, err := answerElement(q)
		if err != nil {
			return slack.ModalViewRequest{}, err
		}
		blocks = append(blocks, slack.NewInputBlock(questionBlockPrefix+q.Key, plain(q.Text), nil, el))
	}
	comment := slack.NewPlainTextInputBlockElement(plain("Anything you'd like your managers to know?"), actionComment)
	comment.Multiline = true
	comment.MaxLength = pulseMaxComment
	input := slack.NewInputBlock(blockComment, plain("Comment (optional)"), plain(pulseCommentHint), comment)
	input.Optional = true
	blocks = append(blocks, input)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackPulseModal,
		Title:           plain(pulseModalTitle),
		Submit:          plain(pulseModalSubmit),
		Close:           plain(pulseModalClose),
		Blocks:          slack.Blocks{BlockSet: blocks},
		PrivateMetadata: strconv.FormatInt(round.ID, 10),
	}, nil
}

// answerElement is how a question is answered: radio buttons for the
// five-point agreement scale (and any scale of up to 10 points), a static
// select for longer ones such as the 0–10 eNPS scale (radio buttons take
// at most 10 options).
func answerElement(q db.RoundQuestion) (slack.BlockElement, error) {
	points := q.Max - q.Min + 1
	if points < 2 || points > 100 {
		return nil, fmt.Errorf("question %q: scale %d–%d cannot be shown", q.Key, q.Min, q.Max)
	}
	options := make([]*slack.OptionBlockObject, 0, points)
	for v := q.Min; v <= q.Max; v++ {
		options = append(options, slack.NewOptionBlockObject(strconv.Itoa(v), plain(pointLabel(q, v)), nil))
	}
	if points <= 10 {
		return slack.NewRadioButtonsBlockElement(actionAnswer, options...), nil
	}
	return slack.NewOptionsSelectBlockElement(slack.OptTypeStatic,
		plain(fmt.Sprintf("Choose %d–%d", q.Min, q.Max)), actionAnswer, options...), nil
}

// pointLabel names one point of a question's scale.
func pointLabel(q db.RoundQuestion, v int) string {
	if q.Scale == "agree5" && q.Max-q.Min == 4 {
		return agreeLabels[v-q.Min]
	}
	switch {
	case q.Scale == "enps11" && v == q.Min:
		return fmt.Sprintf("%d — Not at all likely", v)
	case q.Scale == "enps11" && v == q.Max:
		return fmt.Sprintf("%d — Extremely likely", v)
	}
	return strconv.Itoa(v)
}

// submitPulse records a submitted pulse: one response per person, checked
// and written atomically by the store, before the ack. The answer thanks
// them in the modal, or keeps the modal open with a kind explanation. Its
// failures are logged here, with the round id only, and never returned:
// the generic interaction log names the user.
func (b *Bot) submitPulse(ctx context.Context, cb slack.InteractionCallback) (any, error) {
	roundID, err := strconv.ParseInt(cb.View.PrivateMetadata, 10, 64)
	if err != nil {
		b.log.Error("pulse submission failed", "outcome", "no_round_id")
		return fieldError(blockComment, pulseSorryText), nil
	}
	round, err := b.store.Round(ctx, roundID)
	if errors.Is(err, db.ErrNotFound) {
		return b.pulseRefused(ctx, roundID, cb.View.ID, blockComment, pulseGoneText, "gone")
	}
	if err != nil {
		b.log.Error("pulse submission failed", "round_id", roundID, "outcome", "error", "error", err)
		return fieldError(blockComment, pulseSorryText), nil
	}
	firstBlock := blockComment
	if len(round.Questions) > 0 {
		firstBlock = questionBlockPrefix + round.Questions[0].Key
	}
	team, err := b.store.Team(ctx, round.TeamID)
	if errors.Is(err, db.ErrNotFound) {
		return b.pulseRefused(ctx, roundID, cb.View.ID, firstBlock, pulseGoneText, "gone")
	}
	if err != nil {
		b.log.Error("pulse submission failed", "round_id", roundID, "outcome", "error", "error", err)
		return fieldError(firstBlock, pulseSorryText), nil
	}
	if !round.Open(b.now()) {
		return b.pulseRefused(ctx, roundID, cb.View.ID, firstBlock, pulseClosedText(round, b.location(ctx, cb.User.ID)), "closed")
	}
	answers, missing := readAnswers(round, cb.View.State)
	if missing != "" {
		b.log.Info("pulse submission", "round_id", roundID, "outcome", "incomplete")
		return fieldError(missing, "Please choose an answer."), nil
	}
	comment := cb.View.State.Values[blockComment][actionComment].Value
	err = b.store.SubmitAnswers(ctx, roundID, cb.User.ID, answers, comment, b.now())
	switch {
	case errors.Is(err, db.ErrAlreadyAnswered):
		return b.pulseRefused(ctx, roundID, cb.View.ID, firstBlock, pulseAlreadyAnsweredText, "already_answered")
	case errors.Is(err, db.ErrRoundClosed):
		return b.pulseRefused(ctx, roundID, cb.View.ID, firstBlock, pulseClosedText(round, b.location(ctx, cb.User.ID)), "closed")
	case errors.Is(err, db.ErrNotRecipient):
		return b.pulseRefused(ctx, roundID, cb.View.ID, firstBlock, pulseNotRecipientText, "not_recipient")
	case errors.Is(err, db.ErrInvalidAnswers):
		b.log.Info("pulse submission", "round_id", roundID, "outcome", "invalid")
		return fieldError(firstBlock, "Please answer every question."), nil
	case err != nil:
		// The store's errors carry no answer values; still, log only that
		// it failed, not its text.
		b.log.Error("pulse submission failed", "round_id", roundID, "outcome", "error")
		return fieldError(firstBlock, pulseSorryText), nil
	}
	b.log.Info("pulse submission", "round_id", roundID, "outcome", "recorded")

	thanks := slack.NewUpdateViewSubmissionResponse(thanksView(team, round, b.location(ctx, cb.User.ID)))
	b.rememberSubmission(ctx, roundID, cb.View.ID, thanks)
	if err := b.queue.EnqueuePulseAnswered(ctx, roundID, cb.User.ID); err != nil {
		// The answers are committed; only the DM's "thank you" is missing.
		// The job's error could name the person: log that it failed, only.
		b.log.Error("enqueue pulse answered failed", "round_id", roundID)
	}
	return thanks, nil
}

// readAnswers reads each question's chosen point from the modal's state.
// missing is the block of the first question with no valid answer.
func readAnswers(round db.Round, state *slack.ViewState) (answers map[string]int, missing string) {
	answers = make(map[string]int, len(round.Questions))
	for _, q := range round.Questions {
		block := questionBlockPrefix + q.Key
		var chosen string
		if state != nil {
			chosen = state.Values[block][actionAnswer].SelectedOption.Value
		}
		v, err := strconv.Atoi(chosen)
		if err != nil || v < q.Min || v > q.Max {
			return nil, block
		}
		answers[q.Key] = v
	}
	return answers, ""
}

// pulseRefused keeps the modal open with a kind note, having recorded
// nothing. A redelivery of a submission that was recorded (Socket Mode
// resends an envelope whose ack was lost) gets the thanks it got the
// first time instead.
func (b *Bot) pulseRefused(ctx context.Context, roundID int64, viewID, block, note, outcome string) (any, error) {
	if outcome == "already_answered" && viewID != "" {
		if prev, err := b.store.InboundResponse(ctx, submissionKey(viewID)); err == nil && len(prev) > 0 && string(prev) != "null" {
			b.log.Info("pulse submission", "round_id", roundID, "outcome", "redelivered")
			return prev, nil
		}
	}
	b.log.Info("pulse submission", "round_id", roundID, "outcome", outcome)
	return fieldError(block, note), nil
}

func submissionKey(viewID string) string { return "view:" + viewID }

// rememberSubmission stores the answer to a recorded submission under its
// view id, for a redelivery of the same submission. It holds no answers.
func (b *Bot) rememberSubmission(ctx context.Context, roundID int64, viewID string, answer any) {
	if viewID == "" {
		return
	}
	raw, err := json.Marshal(answer)
	if err == nil {
		err = b.store.WithTx(ctx, func(tx *sqlx.Tx) error {
			claimed, _, err := db.ClaimInbound(ctx, tx, submissionKey(viewID))
			if err != nil || !claimed {
				return err
			}
			return db.StoreInboundResponse(ctx, tx, submissionKey(viewID), raw)
		})
	}
	if err != nil {
		b.log.Warn("remember pulse submission failed", "round_id", roundID, "error", err)
	}
}

// thanksView replaces the pulse modal once the answers are recorded.
func thanksView(team db.Team, round db.Round, loc *time.Location) *slack.ModalViewRequest {
	return &slack.ModalViewRequest{
		Type:   slack.VTModal,
		Title:  plain("Thank you"),
		Close:  plain("Close"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(md(pulseThanks(team, round, loc)), nil, nil)}},
	}
}
