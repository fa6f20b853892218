package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/db"
)

// userCacheTTL is how long a cached profile is trusted before users.info is asked again.
const userCacheTTL = 12 * time.Hour

// errUnknownUser means Slack does not know the user id.
var errUnknownUser = errors.New("unknown Slack user")

// user returns the profile of id from the cache, refreshing it from Slack
// when stale. A stale profile is used when Slack cannot be reached.
func (b *Bot) user(ctx context.Context, id string) (db.User, error) {
	cached, err := b.store.CachedUser(ctx, id)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return db.User{}, err
	}
	fresh := err == nil && b.now().Sub(cached.FetchedAt) < userCacheTTL
	if fresh {
		return cached, nil
	}
	info, apiErr := b.api.GetUserInfoContext(ctx, id)
	if apiErr != nil {
		var slackErr slack.SlackErrorResponse
		if errors.As(apiErr, &slackErr) && slackErr.Err == "user_not_found" {
			return db.User{}, fmt.Errorf("%s: %w", id, errUnknownUser)
		}
		if err == nil { // a stale profile beats none
			return cached, nil
		}
		return db.User{}, fmt.Errorf("look up user %s: %w", id, apiErr)
	}
	u := profile(*info, b.now())
	u.DMChannelID = cached.DMChannelID
	if err := b.store.SaveUser(ctx, u); err != nil {
		return db.User{}, err
	}
	return u, nil
}

// isAdmin reports whether userID may administer Hearth.
func (b *Bot) isAdmin(ctx context.Context, userID string) (bool, error) {
	if b.admins[userID] {
		return true, nil
	}
	u, err := b.user(ctx, userID)
	if err != nil {
		return false, err
	}
	return u.IsAdmin, nil
}

// slackbotID is Slackbot, which Slack lists with is_bot false.
const slackbotID = "USLACKBOT"

// profile is the part of a Slack user Hearth keeps, fetched at now.
// Slackbot and workflow bots count as bots.
func profile(info slack.User, now time.Time) db.User {
	return db.User{
		ID:        info.ID,
		Name:      info.Name,
		RealName:  info.RealName,
		TZ:        info.TZ,
		IsBot:     info.IsBot || info.IsWorkflowBot || info.ID == slackbotID,
		Deleted:   info.Deleted,
		IsAdmin:   info.IsAdmin || info.IsOwner || info.IsPrimaryOwner,
		FetchedAt: now,
	}
}
