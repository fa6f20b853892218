package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// maxRequestBody bounds what Hearth reads from Slack; Slack's own payloads
// are far smaller.
const maxRequestBody = 1 << 20

// HTTPConfig configures the HTTP transport.
type HTTPConfig struct {
	SigningSecret string
	// Ready reports whether Hearth can serve (database reachable, schema current).
	Ready func(ctx context.Context) error
}

// HTTPHandler serves Slack's HTTP deliveries and the health endpoints:
//
//	POST /slack/events        Events API (signed)
//	POST /slack/commands      slash commands (signed)
//	POST /slack/interactions  shortcuts, buttons, modals (signed)
//	GET  /healthz             the process is alive
//	GET  /readyz              the database is reachable and its schema current
func (b *Bot) HTTPHandler(cfg HTTPConfig) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/events", b.verified(cfg.SigningSecret, b.serveEvent))
	mux.HandleFunc("POST /slack/commands", b.verified(cfg.SigningSecret, b.serveCommand))
	mux.HandleFunc("POST /slack/interactions", b.verified(cfg.SigningSecret, b.serveInteraction))
	addHealth(mux, cfg.Ready)
	return mux
}

// HealthOnly serves just /healthz and /readyz, for Socket Mode deployments.
func HealthOnly(ready func(ctx context.Context) error) http.Handler {
	mux := http.NewServeMux()
	addHealth(mux, ready)
	return mux
}

func addHealth(mux *http.ServeMux, ready func(ctx context.Context) error) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if ready != nil {
			if err := ready(r.Context()); err != nil {
				http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		w.Write([]byte("ready\n"))
	})
}

// verified reads the body (bounded) and checks Slack's signature over it
// before anything is parsed: unsigned, forged or stale requests get 401,
// oversized ones 413, and change nothing.
func (b *Bot) verified(secret string, next func(http.ResponseWriter, *http.Request, []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err != nil {
			http.Error(w, "could not read request body", http.StatusBadRequest)
			return
		}
		sv, err := slack.NewSecretsVerifier(r.Header, secret)
		if err != nil {
			http.Error(w, "missing or stale Slack signature", http.StatusUnauthorized)
			return
		}
		if _, err := sv.Write(body); err != nil {
			http.Error(w, "could not verify signature", http.StatusUnauthorized)
			return
		}
		if err := sv.Ensure(); err != nil {
			http.Error(w, "invalid Slack signature", http.StatusUnauthorized)
			return
		}
		next(w, r, body)
	}
}

// ackPayload normalizes an answer: nil when there is nothing to say.
func ackPayload(answer any) any {
	if raw, ok := answer.(json.RawMessage); ok && (len(raw) == 0 || string(raw) == "null") {
		return nil
	}
	return answer
}

func writeJSON(w http.ResponseWriter, answer any) {
	answer = ackPayload(answer)
	if answer == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(answer)
}

// sorry is the answer when Hearth itself failed: it says nothing was lost.
const sorry = "Sorry — something went wrong on Hearth's side and nothing was recorded. Please try again in a moment."

func (b *Bot) serveCommand(w http.ResponseWriter, r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	cmd, err := slack.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "malformed slash command", http.StatusBadRequest)
		return
	}
	writeJSON(w, b.answerCommand(r.Context(), cmd))
}

// answerCommand runs a command and turns a failure into a kind answer.
func (b *Bot) answerCommand(ctx context.Context, cmd slack.SlashCommand) any {
	answer, err := b.HandleCommand(ctx, cmd)
	if err != nil {
		b.log.Error("slash command failed", "command", cmd.Command, "user_id", cmd.UserID, "error", err)
		return ephemeral(sorry)
	}
	return answer
}

func (b *Bot) serveInteraction(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		http.Error(w, "missing interaction payload", http.StatusBadRequest)
		return
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		http.Error(w, "malformed interaction payload", http.StatusBadRequest)
		return
	}
	answer, ok := b.answerInteraction(r.Context(), cb)
	if !ok {
		http.Error(w, "could not handle interaction", http.StatusInternalServerError)
		return
	}
	writeJSON(w, answer)
}

// answerInteraction runs an interaction. A failed modal submission keeps
// the modal open with an error; other failures are reported as not ok.
func (b *Bot) answerInteraction(ctx context.Context, cb slack.InteractionCallback) (any, bool) {
	answer, err := b.HandleInteraction(ctx, cb)
	if err == nil {
		return answer, true
	}
	b.log.Error("interaction failed", "type", cb.Type, "callback_id", cb.CallbackID, "user_id", cb.User.ID, "error", err)
	if cb.Type == slack.InteractionTypeViewSubmission {
		return fieldError(firstInputBlock(cb.View, blockRecipients), sorry), true
	}
	return nil, false
}

// firstInputBlock is the block id of the view's first input, where an
// error can be shown, or fallback.
func firstInputBlock(v slack.View, fallback string) string {
	for _, bl := range v.Blocks.BlockSet {
		if in, ok := bl.(*slack.InputBlock); ok && in.BlockID != "" {
			return in.BlockID
		}
	}
	return fallback
}

func (b *Bot) serveEvent(w http.ResponseWriter, r *http.Request, body []byte) {
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		// A 5xx would make Slack retry something that will never parse.
		b.log.Warn("unparseable event", "error", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	switch ev.Type {
	case slackevents.URLVerification:
		var challenge slackevents.ChallengeResponse
		if err := json.Unmarshal(body, &challenge); err != nil {
			http.Error(w, "malformed challenge", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(challenge.Challenge))
	case slackevents.CallbackEvent:
		if err := b.handleCallbackEvent(r.Context(), ev); err != nil {
			// Not handled, nothing committed: let Slack deliver it again.
			http.Error(w, "event not handled", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// handleCallbackEvent routes one callback event by its event_id.
func (b *Bot) handleCallbackEvent(ctx context.Context, ev slackevents.EventsAPIEvent) error {
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok || cb.EventID == "" {
		b.log.Warn("event without an event_id ignored", "type", ev.InnerEvent.Type)
		return nil
	}
	if err := b.HandleEvent(ctx, cb.EventID, ev.InnerEvent); err != nil {
		b.log.Error("event failed", "event_id", cb.EventID, "type", ev.InnerEvent.Type, "error", err)
		return err
	}
	return nil
}
