package bot

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/bot/chart"
	"github.com/hearth-oss/hearth/bot/summaryview"
	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/schedule"
)

// trendRounds is how many recent rounds the trend chart shows.
const trendRounds = 12

// summaryOptions are the words and zone a team's summary is rendered with.
func (b *Bot) summaryOptions(team db.Team) summaryview.Options {
	opts := summaryview.Options{Support: b.support, Bank: b.bank}
	if loc, err := scheduleLocation(team.Schedule); err == nil {
		opts.Location = loc
	}
	return opts
}

// postSummary posts a closed round's anonymized summary to the team's
// summary channel, once: the message is the upload of the trend chart,
// so the chart is shown with it (Slack's robust pattern). If Slack refuses
// the upload, the summary goes out without the chart rather than not at all.
func (b *Bot) postSummary(ctx context.Context, team db.Team, round db.Round) error {
	if posted, err := b.store.SummaryPosted(ctx, round.ID); err != nil || posted {
		return err
	}
	s, err := b.store.RoundSummary(ctx, round.ID)
	if err != nil {
		return err
	}
	opts := b.summaryOptions(team)
	msg := summaryview.Blocks(s, opts, 0)
	points, err := b.store.TeamTrend(ctx, team.ID, trendRounds)
	if err != nil {
		return err
	}
	png, err := chart.RenderPNG(summaryview.TrendChart(team, points, opts))
	if err != nil {
		return fmt.Errorf("render trend chart: %w", err)
	}
	_, err = b.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader:   bytes.NewReader(png),
		FileSize: len(png),
		Filename: fmt.Sprintf("hearth-trend-round-%d.png", round.Number),
		Title:    "Team pulse trend",
		AltTxt:   "Trend of the share of favourable answers over recent rounds; gaps where too few people answered.",
		Channel:  team.SummaryChannelID,
		Blocks:   slack.Blocks{BlockSet: msg.Blocks},
	})
	if err != nil {
		de := classify("post summary with chart", err).(*deliveryError)
		if !de.Permanent() || slackErrorCode(err) == "channel_not_found" || slackErrorCode(err) == "not_in_channel" {
			return de
		}
		b.log.Warn("summary chart refused; posting the summary without it", "team_id", team.ID, "round_id", round.ID, "error", slackErrorCode(err))
		if _, _, err := b.api.PostMessageContext(ctx, team.SummaryChannelID,
			slack.MsgOptionText(msg.Fallback, false), slack.MsgOptionBlocks(msg.Blocks...)); err != nil {
			return classify("post summary", err)
		}
	}
	return b.store.MarkSummaryPosted(ctx, round.ID, b.now())
}

// scheduleLocation is the time zone of a team's schedule (UTC without one).
func scheduleLocation(spec string) (*time.Location, error) {
	s, err := schedule.Parse(spec)
	if err != nil {
		return nil, err
	}
	return s.Location(), nil
}
