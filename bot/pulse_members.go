package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/db"
)

// Paging sizes for the Slack calls behind HumanMembers.
const (
	membersPageSize = 500 // conversations.members: under 1000
	usersPageSize   = 200 // users.list: Slack's recommended page
	// usersInfoMax is how many unknown or stale people are looked up one by
	// one (users.info, Tier 4); more than that and users.list (Tier 2, 200
	// people a call) is far cheaper than hundreds of users.info calls.
	usersInfoMax = 10
)

// HumanMembers lists the active human members of a channel, in Slack's
// order: no bots (Hearth's own bot user included), no workflow bots, no
// deactivated users, no Slackbot. Opt-outs are not filtered here.
//
// People come from the users cache; the unknown and the stale are
// refreshed from Slack — one by one when there are few, otherwise from
// users.list pages, stopping once everyone needed was seen. Each refreshed
// profile is saved as it arrives, so a job retried after a 429 carries on
// where it stopped.
func (b *Bot) HumanMembers(ctx context.Context, channelID string) ([]string, error) {
	ids, err := b.channelMembers(ctx, channelID)
	if err != nil {
		return nil, err
	}
	people, err := b.profiles(ctx, ids)
	if err != nil {
		return nil, err
	}
	humans := make([]string, 0, len(ids))
	for _, id := range ids {
		u, ok := people[id]
		if !ok || u.IsBot || u.Deleted || id == slackbotID {
			continue
		}
		humans = append(humans, id)
	}
	return humans, nil
}

// channelMembers pages through conversations.members, without duplicates.
func (b *Bot) channelMembers(ctx context.Context, channelID string) ([]string, error) {
	var ids []string
	seen := map[string]bool{}
	cursor := ""
	for {
		page, next, err := b.api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{
			ChannelID: channelID, Cursor: cursor, Limit: membersPageSize,
		})
		if err != nil {
			return nil, classify("list members of "+channelID, err)
		}
		for _, id := range page {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		if next == "" {
			return ids, nil
		}
		cursor = next
	}
}

// profiles returns the profile of each id Slack knows, from the cache when
// fresh. Ids Slack does not know are left out.
func (b *Bot) profiles(ctx context.Context, ids []string) (map[string]db.User, error) {
	cached, err := b.store.CachedUsers(ctx, ids)
	if err != nil {
		return nil, err
	}
	people := make(map[string]db.User, len(ids))
	var stale []string
	for _, id := range ids {
		if u, ok := cached[id]; ok && b.now().Sub(u.FetchedAt) < userCacheTTL {
			people[id] = u
		} else {
			stale = append(stale, id)
		}
	}
	if len(stale) > usersInfoMax {
		var err error
		if stale, err = b.refreshFromUsersList(ctx, stale, people); err != nil {
			return nil, err
		}
	}
	// The few left (or people users.list does not show, such as members
	// from another organization in a shared channel): one at a time.
	for _, id := range stale {
		u, err := b.user(ctx, id)
		if errors.Is(err, errUnknownUser) {
			continue
		}
		if err != nil {
			return nil, classify("look up member", err)
		}
		people[id] = u
	}
	return people, nil
}

// refreshFromUsersList pages through users.list, saving and adding to
// people each of wanted it meets, until all were seen or the list ends. It
// returns the wanted ids it did not see.
func (b *Bot) refreshFromUsersList(ctx context.Context, wanted []string, people map[string]db.User) ([]string, error) {
	missing := make(map[string]bool, len(wanted))
	for _, id := range wanted {
		missing[id] = true
	}
	pages := b.api.GetUsersPaginated(slack.GetUsersOptionLimit(usersPageSize), slack.GetUsersOptionIncludeLocale(false))
	for len(missing) > 0 {
		var err error
		pages, err = pages.Next(ctx)
		if pages.Done(err) {
			break
		}
		if err != nil {
			return nil, classify("list users", err)
		}
		var page []db.User
		for _, info := range pages.Users {
			if !missing[info.ID] {
				continue
			}
			u := profile(info, b.now())
			page = append(page, u)
			people[info.ID] = u
			delete(missing, info.ID)
		}
		if err := b.store.SaveUsers(ctx, page); err != nil {
			return nil, fmt.Errorf("cache listed users: %w", err)
		}
	}
	var left []string
	for _, id := range wanted {
		if missing[id] {
			left = append(left, id)
		}
	}
	return left, nil
}
