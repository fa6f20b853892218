package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/jobs"
)

// config is Hearth's configuration, read once from the environment.
type config struct {
	DatabaseURL    string
	BotToken       string
	AppToken       string
	SigningSecret  string
	APIURL         string
	HTTPAddr       string
	KudosChannel   string
	KudosEmoji     string
	KudosAllowance int
	// PostsPerMinute paces pulse DMs across the workspace (all replicas).
	PostsPerMinute int
	Admins         []string
	SupportText    string
	LogLevel       slog.Level
	LogFormat      string
}

var (
	channelID = regexp.MustCompile(`^[CG][A-Z0-9]{2,}$`)
	userID    = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	emojiName = regexp.MustCompile(`^[a-z0-9_+'-]{1,100}$`)
)

// loadConfig reads and validates the environment. It reports every problem
// at once, and never echoes a secret. needSlack is false for commands that
// only touch the database.
func loadConfig(getenv func(string) string, needSlack bool) (config, error) {
	c := config{
		DatabaseURL:    strings.TrimSpace(getenv("DATABASE_URL")),
		BotToken:       strings.TrimSpace(getenv("SLACK_BOT_TOKEN")),
		AppToken:       strings.TrimSpace(getenv("SLACK_APP_TOKEN")),
		SigningSecret:  strings.TrimSpace(getenv("SLACK_SIGNING_SECRET")),
		APIURL:         strings.TrimSpace(getenv("SLACK_API_URL")),
		HTTPAddr:       strings.TrimSpace(getenv("HEARTH_HTTP_ADDR")),
		KudosChannel:   strings.TrimSpace(getenv("HEARTH_KUDOS_CHANNEL")),
		KudosEmoji:     strings.Trim(strings.TrimSpace(getenv("HEARTH_KUDOS_EMOJI")), ":"),
		KudosAllowance: db.DefaultKudosSettings.Allowance,
		PostsPerMinute: jobs.DefaultPostsPerMinute,
		LogFormat:      strings.ToLower(strings.TrimSpace(getenv("LOG_FORMAT"))),
		SupportText:    strings.TrimSpace(getenv("HEARTH_SUPPORT_TEXT")),
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if c.DatabaseURL == "" {
		bad("DATABASE_URL is required (for example postgres://user:password@localhost:5432/hearth?sslmode=disable)")
	} else if u, err := url.Parse(c.DatabaseURL); strings.Contains(c.DatabaseURL, "://") && (err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql")) {
		bad("DATABASE_URL must be a postgres:// URL")
	}
	if needSlack {
		switch {
		case c.BotToken == "":
			bad("SLACK_BOT_TOKEN is required (the Bot User OAuth Token, xoxb-…)")
		case !strings.HasPrefix(c.BotToken, "xoxb-"):
			bad("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
		}
		if c.AppToken != "" && !strings.HasPrefix(c.AppToken, "xapp-") {
			bad("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
		}
		if c.AppToken == "" && c.SigningSecret == "" {
			bad("set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP), or both")
		}
	}
	if c.APIURL == "" {
		c.APIURL = "https://slack.com/api/"
	} else if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("SLACK_API_URL must be an http(s) URL such as https://slack.com/api/")
	} else if !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/"
	}
	if c.HTTPAddr == "" {
		c.HTTPAddr = ":3000"
	}
	if c.KudosChannel != "" && !channelID.MatchString(c.KudosChannel) {
		bad("HEARTH_KUDOS_CHANNEL must be a channel id like C0123ABCD (not a #name)")
	}
	if c.KudosEmoji == "" {
		c.KudosEmoji = db.DefaultKudosSettings.Emoji
	} else if !emojiName.MatchString(c.KudosEmoji) {
		bad("HEARTH_KUDOS_EMOJI must be an emoji name like raised_hands")
	}
	if v := strings.TrimSpace(getenv("HEARTH_KUDOS_ALLOWANCE")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50 {
			bad("HEARTH_KUDOS_ALLOWANCE must be a whole number from 1 to 50")
		}
		c.KudosAllowance = n
	}
	if v := strings.TrimSpace(getenv("HEARTH_SLACK_POSTS_PER_MINUTE")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 6000 {
			bad("HEARTH_SLACK_POSTS_PER_MINUTE must be a whole number from 1 to 6000 (default %d)", jobs.DefaultPostsPerMinute)
		}
		c.PostsPerMinute = n
	}
	for _, id := range strings.Split(getenv("HEARTH_ADMINS"), ",") {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		if !userID.MatchString(id) {
			bad("HEARTH_ADMINS must be comma-separated user ids like U0123ABCD (%q is not one)", id)
			continue
		}
		c.Admins = append(c.Admins, id)
	}
	switch level := strings.ToLower(strings.TrimSpace(getenv("LOG_LEVEL"))); level {
	case "", "info":
		c.LogLevel = slog.LevelInfo
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "warn", "warning":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		bad("LOG_LEVEL must be debug, info, warn or error")
	}
	switch c.LogFormat {
	case "":
		c.LogFormat = "text"
	case "text", "json":
	default:
		bad("LOG_FORMAT must be text or json")
	}
	if len(problems) > 0 {
		return c, errors.New("configuration problems: " + strings.Join(problems, "; "))
	}
	return c, nil
}
