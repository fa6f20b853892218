package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/db"
)

const hearthHelp = "*Hearth* helps your team notice each other and look after each other.\n\n" +
	"*Kudos*\n" +
	"• `/kudos @teammate for covering my Friday shift #teamwork` — recognize people; `/kudos` alone opens a form.\n" +
	"• *Kudos for this* (message shortcut) or react with the kudos emoji to recognize a message.\n" +
	"• `/kudos stats` — your numbers · `/kudos leaderboard` — when turned on.\n" +
	"• Your App Home (click Hearth in the sidebar) shows what you received and gave.\n\n" +
	"*Wellness pulses*\n" +
	"• Each week your team's pulse comes by DM: a few anonymous questions, about a minute. Managers see only team totals, and only when enough people answered.\n" +
	"• `/hearth pulse` — whether you get pulses · `/hearth pulse off` — stop them · `/hearth pulse on` — get them again.\n" +
	"• Managers: `/hearth results [#team-channel]` — your team's latest summary, privately; your App Home shows each team you manage.\n\n" +
	"*Admins*\n" +
	"• `/hearth team add` — set up a team (its channel, summary channel, schedule and privacy) · `/hearth team list`\n" +
	"• `/hearth team show|edit|pause|resume|remove #channel`\n" +
	"• `/hearth pulse open #channel` — open a round now · `/hearth pulse close #channel` — close the open one now.\n" +
	"• `/hearth settings` — show the kudos settings.\n" +
	"• `/hearth values` · `/hearth values add <name> [description]` · `/hearth values remove <name>`\n" +
	"• `/hearth values required on|off` — whether every kudos must name a value.\n" +
	"• `/hearth kudos channel #channel|off` · `/hearth kudos emoji :emoji:` · `/hearth kudos allowance <1-50>`\n" +
	"• `/hearth leaderboard on|off`"

var channelMention = regexp.MustCompile(`^<#([CG][A-Z0-9]+)(\|[^>]*)?>$`)

// hearthCommand answers /hearth: help and pulse opt-out for everyone;
// settings, teams and manual rounds for admins.
func (b *Bot) hearthCommand(ctx context.Context, cmd slack.SlashCommand) (any, error) {
	args := strings.Fields(cmd.Text)
	if len(args) == 0 || args[0] == "help" {
		return ephemeral(hearthHelp), nil
	}
	if isPulseOptCommand(args) {
		return b.pulseOptCommand(ctx, cmd, args)
	}
	if args[0] == "results" {
		return b.resultsAnswer(ctx, cmd, args[1:])
	}
	admin, err := b.isAdmin(ctx, cmd.UserID)
	if err != nil {
		return nil, err
	}
	if !admin {
		return ephemeral("Only Hearth admins can change settings — ask a workspace admin, or someone listed in HEARTH_ADMINS. `/hearth help` shows what everyone can do."), nil
	}
	switch args[0] {
	case "team":
		return b.teamCommand(ctx, cmd, args[1:])
	case "pulse":
		return b.pulseAdminCommand(ctx, args[1:])
	}
	answer, err := b.once(ctx, "cmd:"+cmd.TriggerID, func(tx *sqlx.Tx) (any, bool, error) {
		text, err := b.adminCommand(ctx, cmd.UserID, args)
		return ephemeral(text), err == nil, err
	})
	if err != nil {
		return nil, err
	}
	return answer, nil
}

// adminCommand applies one admin subcommand and says what it did.
func (b *Bot) adminCommand(ctx context.Context, userID string, args []string) (string, error) {
	usage := "I didn't understand that. " + "`/hearth help` lists the admin commands."
	switch args[0] {
	case "settings":
		return b.settingsText(ctx)
	case "values":
		return b.valuesCommand(ctx, userID, args[1:])
	case "leaderboard":
		if len(args) != 2 || (args[1] != "on" && args[1] != "off") {
			return "Use `/hearth leaderboard on` or `/hearth leaderboard off`.", nil
		}
		if err := b.store.SetSetting(ctx, db.SettingLeaderboard, strconv.FormatBool(args[1] == "on")); err != nil {
			return "", err
		}
		return "The leaderboard is now " + args[1] + ".", nil
	case "kudos":
		if len(args) != 3 {
			return "Use `/hearth kudos channel #channel`, `/hearth kudos emoji :emoji:` or `/hearth kudos allowance <number>`.", nil
		}
		return b.kudosSetting(ctx, args[1], args[2])
	}
	return usage, nil
}

func (b *Bot) kudosSetting(ctx context.Context, name, arg string) (string, error) {
	switch name {
	case "channel":
		if arg == "off" {
			return "Public kudos will no longer be posted to a channel (recipients still get a DM).", b.store.SetSetting(ctx, db.SettingKudosChannel, "")
		}
		m := channelMention.FindStringSubmatch(arg)
		if m == nil {
			return "Name the channel with #, like `/hearth kudos channel #kudos`.", nil
		}
		return fmt.Sprintf("Public kudos will be posted in <#%s>. For a private channel, invite Hearth there first.", m[1]),
			b.store.SetSetting(ctx, db.SettingKudosChannel, m[1])
	case "emoji":
		emoji := strings.Trim(arg, ":")
		if !regexp.MustCompile(`^[a-z0-9_+'-]{1,100}$`).MatchString(emoji) {
			return "Give the emoji by name, like `/hearth kudos emoji :raised_hands:`.", nil
		}
		return fmt.Sprintf("Reacting with :%s: now gives kudos.", emoji), b.store.SetSetting(ctx, db.SettingKudosEmoji, emoji)
	case "allowance":
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 || n > 50 {
			return "The allowance is a number of kudos per person per day, from 1 to 50.", nil
		}
		return fmt.Sprintf("Everyone can now give %d kudos a day.", n), b.store.SetSetting(ctx, db.SettingKudosAllow, arg)
	}
	return "Use `/hearth kudos channel #channel`, `/hearth kudos emoji :emoji:` or `/hearth kudos allowance <number>`.", nil
}

func (b *Bot) valuesCommand(ctx context.Context, userID string, args []string) (string, error) {
	if len(args) == 0 || args[0] == "list" {
		vs, err := b.store.Values(ctx)
		if err != nil {
			return "", err
		}
		if len(vs) == 0 {
			return "No company values yet. Add one with `/hearth values add teamwork We cover for each other`.", nil
		}
		var sb strings.Builder
		sb.WriteString("*Company values*\n")
		for _, v := range vs {
			fmt.Fprintf(&sb, "• #%s %s\n", v.Name, v.Description)
		}
		return sb.String(), nil
	}
	switch args[0] {
	case "add":
		if len(args) < 2 {
			return "Use `/hearth values add <name> [description]`.", nil
		}
		v, err := b.store.AddValue(ctx, args[1], strings.Join(args[2:], " "), userID)
		switch {
		case errors.Is(err, db.ErrInvalidValueName):
			return "A value name is a single word (letters, digits, - or _), up to 40 characters, like `teamwork`.", nil
		case errors.Is(err, db.ErrConflict):
			return fmt.Sprintf("#%s is already a value.", db.NormalizeValueName(args[1])), nil
		case err != nil:
			return "", err
		}
		return fmt.Sprintf("Added #%s. People can now use it in kudos.", v.Name), nil
	case "remove":
		if len(args) != 2 {
			return "Use `/hearth values remove <name>`.", nil
		}
		err := b.store.RemoveValue(ctx, args[1])
		if errors.Is(err, db.ErrNotFound) {
			return fmt.Sprintf("There is no value #%s. `/hearth values` lists them.", db.NormalizeValueName(args[1])), nil
		}
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("Removed #%s. Past kudos keep it.", db.NormalizeValueName(args[1])), nil
	case "required":
		if len(args) != 2 || (args[1] != "on" && args[1] != "off") {
			return "Use `/hearth values required on` or `off`.", nil
		}
		if err := b.store.SetSetting(ctx, db.SettingRequireValue, strconv.FormatBool(args[1] == "on")); err != nil {
			return "", err
		}
		if args[1] == "on" {
			return "Every kudos must now name a company value.", nil
		}
		return "A company value is now optional on kudos.", nil
	}
	return "Use `/hearth values`, `/hearth values add <name>`, `/hearth values remove <name>` or `/hearth values required on|off`.", nil
}

func (b *Bot) settingsText(ctx context.Context) (string, error) {
	s, err := b.store.KudosSettings(ctx)
	if err != nil {
		return "", err
	}
	channel := "none (DMs only)"
	if s.Channel != "" {
		channel = "<#" + s.Channel + ">"
	}
	return fmt.Sprintf("*Kudos settings*\n• Channel: %s\n• Emoji: :%s:\n• Allowance: %d a day per person\n• Value required: %s\n• Leaderboard: %s",
		channel, s.Emoji, s.Allowance, onOff(s.RequireValue), onOff(s.LeaderboardEnabled)), nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
