package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/hearth-oss/hearth/db"
)

// kudosRequest is a kudos as asked for, from any surface.
type kudosRequest struct {
	key        string // the Slack delivery's id: the kudos' idempotency key
	giverID    string
	recipients []string
	message    string
	value      string
	private    bool
	source     db.Source
	channel    string // where the reacted-to or shortcut message lives
	ts         string
}

// kudosOutcome is what became of a kudosRequest.
type kudosOutcome struct {
	result  db.GiveResult
	refusal string           // a kind explanation when nothing was recorded
	reason  db.RefusalReason // which rule refused it
}

// checkPeople looks up the giver and recipients (the slow part, done before
// any transaction) and returns the giver, or a refusal when a recipient is
// a bot, deactivated or unknown.
func (b *Bot) checkPeople(ctx context.Context, giverID string, recipients []string) (db.User, string, error) {
	giver, err := b.user(ctx, giverID)
	if err != nil {
		return db.User{}, "", err
	}
	var bots, gone []string
	for _, id := range recipients {
		if id == giverID {
			continue // db refuses self-kudos with its own words
		}
		u, err := b.user(ctx, id)
		switch {
		case errors.Is(err, errUnknownUser):
			gone = append(gone, id)
		case err != nil:
			return db.User{}, "", err
		case u.IsBot:
			bots = append(bots, id)
		case u.Deleted:
			gone = append(gone, id)
		}
	}
	switch {
	case len(bots) > 0:
		return giver, fmt.Sprintf("%s %s a bot — kudos are for people. Try again without %s.",
			mentions(bots), isAre(len(bots)), itThem(len(bots))), nil
	case len(gone) > 0:
		return giver, fmt.Sprintf("%s %s no longer active in this workspace, so %s can't receive kudos. Try again without %s.",
			mentions(gone), isAre(len(gone)), heThey(len(gone)), itThem(len(gone))), nil
	}
	return giver, "", nil
}

// give records a kudos in tx and enqueues its delivery there too.
func (b *Bot) give(ctx context.Context, tx *sqlx.Tx, req kudosRequest, giver db.User) (kudosOutcome, error) {
	res, err := db.GiveKudos(ctx, tx, db.NewKudos{
		IdempotencyKey: req.key,
		GiverID:        req.giverID,
		Recipients:     req.recipients,
		Message:        req.message,
		Value:          req.value,
		Private:        req.private,
		Source:         req.source,
		SourceChannel:  req.channel,
		SourceTS:       req.ts,
		GiverLocation:  giver.Location(),
		Now:            b.now(),
	})
	var refusal *db.Refusal
	if errors.As(err, &refusal) {
		return kudosOutcome{refusal: refusalText(refusal, giver), reason: refusal.Reason}, nil
	}
	if err != nil {
		return kudosOutcome{}, err
	}
	if !res.Duplicate {
		if err := b.queue.EnqueueKudosDelivery(ctx, tx.Tx, res.Kudos.ID); err != nil {
			return kudosOutcome{}, err
		}
	}
	return kudosOutcome{result: res}, nil
}

// pickValue chooses the kudos' value from its hashtags: the first that is a
// company value, or the first at all (which db will refuse, helpfully, if
// values are defined).
func pickValue(hashtags []string, known []db.Value) string {
	for _, h := range hashtags {
		for _, v := range known {
			if strings.EqualFold(h, v.Name) {
				return v.Name
			}
		}
	}
	if len(known) > 0 && len(hashtags) > 0 {
		return hashtags[0]
	}
	return "" // no values defined: hashtags are just words
}
