package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/bot/summaryview"
	"github.com/hearth-oss/hearth/db"
)

// memberCacheTTL bounds how stale a summary channel's member list may be
// when deciding who may read a team's results.
const memberCacheTTL = 5 * time.Minute

// channelMembers caches the members of summary channels.
type channelMembers struct {
	mu      sync.Mutex
	members map[string]cachedMembers
}

type cachedMembers struct {
	ids     []string
	fetched time.Time
}

// inChannel reports whether userID is a member of channelID, asking Slack
// at most every few minutes per channel.
func (b *Bot) inChannel(ctx context.Context, channelID, userID string) (bool, error) {
	b.channels.mu.Lock()
	c, ok := b.channels.members[channelID]
	b.channels.mu.Unlock()
	if !ok || b.now().Sub(c.fetched) > memberCacheTTL {
		var ids []string
		cursor := ""
		for {
			page, next, err := b.api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: channelID, Cursor: cursor, Limit: 1000})
			if err != nil {
				return false, fmt.Errorf("members of %s: %w", channelID, err)
			}
			ids = append(ids, page...)
			if next == "" {
				break
			}
			cursor = next
		}
		c = cachedMembers{ids: ids, fetched: b.now()}
		b.channels.mu.Lock()
		if b.channels.members == nil {
			b.channels.members = map[string]cachedMembers{}
		}
		b.channels.members[channelID] = c
		b.channels.mu.Unlock()
	}
	return slices.Contains(c.ids, userID), nil
}

// teamsManagedBy lists the teams whose summary channel userID is in.
func (b *Bot) teamsManagedBy(ctx context.Context, userID string) ([]db.Team, error) {
	teams, err := b.store.Teams(ctx)
	if err != nil {
		return nil, err
	}
	var mine []db.Team
	for _, t := range teams {
		ok, err := b.inChannel(ctx, t.SummaryChannelID, userID)
		if err != nil {
			b.log.Warn("cannot check summary channel membership", "team_id", t.ID, "error", slackErrorCode(err))
			continue
		}
		if ok {
			mine = append(mine, t)
		}
	}
	return mine, nil
}

// resultsAnswer answers /hearth results [#team-channel]: the team's latest
// posted summary, privately, to members of its summary channel.
func (b *Bot) resultsAnswer(ctx context.Context, cmd slack.SlashCommand, args []string) (any, error) {
	var team db.Team
	switch {
	case len(args) > 0:
		m := channelMention.FindStringSubmatch(args[0])
		if m == nil {
			return ephemeral("Name the team by its channel, like `/hearth results #nursing-team`."), nil
		}
		t, err := b.store.TeamByChannel(ctx, m[1])
		if errors.Is(err, db.ErrNotFound) {
			return ephemeral(fmt.Sprintf("<#%s> isn't a Hearth team. `/hearth team list` shows the teams.", m[1])), nil
		}
		if err != nil {
			return nil, err
		}
		team = t
	default:
		mine, err := b.teamsManagedBy(ctx, cmd.UserID)
		if err != nil {
			return nil, err
		}
		if len(mine) == 0 {
			return ephemeral("You're not in any team's summary channel, so there are no results to show you."), nil
		}
		team = mine[0]
		for _, t := range mine {
			if t.SummaryChannelID == cmd.ChannelID || t.ChannelID == cmd.ChannelID {
				team = t
			}
		}
	}
	ok, err := b.inChannel(ctx, team.SummaryChannelID, cmd.UserID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return ephemeral(fmt.Sprintf("Results for <#%s> go to its managers in <#%s>; you can see them there if you're a member.", team.ChannelID, team.SummaryChannelID)), nil
	}
	round, err := b.store.LatestSummaryRound(ctx, team.ID)
	if errors.Is(err, db.ErrNotFound) {
		return ephemeral(fmt.Sprintf("No summary for <#%s> yet: the first one is posted when its first round closes.", team.ChannelID)), nil
	}
	if err != nil {
		return nil, err
	}
	s, err := b.store.RoundSummary(ctx, round.ID)
	if err != nil {
		return nil, err
	}
	msg := summaryview.Blocks(s, b.summaryOptions(team), 0)
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: msg.Fallback, Blocks: slack.Blocks{BlockSet: msg.Blocks}}, nil
}

// managerHomeBlocks are the App Home sections for the teams a person manages:
// each team's latest summary in brief.
func (b *Bot) managerHomeBlocks(ctx context.Context, userID string) ([]slack.Block, error) {
	teams, err := b.teamsManagedBy(ctx, userID)
	if err != nil || len(teams) == 0 {
		return nil, err
	}
	blocks := []slack.Block{slack.NewDividerBlock(), slack.NewHeaderBlock(plain("Your teams' pulse"))}
	for _, t := range teams {
		if len(blocks) > 80 {
			break
		}
		round, err := b.store.LatestSummaryRound(ctx, t.ID)
		if errors.Is(err, db.ErrNotFound) {
			blocks = append(blocks, slack.NewSectionBlock(md(fmt.Sprintf("*<#%s>* — no summary yet.", t.ChannelID)), nil, nil))
			continue
		}
		if err != nil {
			return nil, err
		}
		s, err := b.store.RoundSummary(ctx, round.ID)
		if err != nil {
			return nil, err
		}
		opts := b.summaryOptions(t)
		lines := []string{fmt.Sprintf("*<#%s>* · %s", t.ChannelID, summaryview.Period(s, opts)), summaryview.Participation(s)}
		for _, q := range s.Questions {
			lines = append(lines, "• "+q.Question.Text+" — "+summaryview.Score(q))
		}
		text := strings.Join(lines, "\n")
		blocks = append(blocks, slack.NewSectionBlock(md(truncate(text, 2900)), nil, nil),
			slack.NewContextBlock("", md(fmt.Sprintf("Full summary in <#%s> · `/hearth results <#%s>`", t.SummaryChannelID, t.ChannelID))))
	}
	return blocks, nil
}
