package bot

import (
	"context"
	"sync"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode receives Slack deliveries over a Socket Mode connection and
// acknowledges each through the same router as HTTP, until ctx is done. It
// then waits for in-flight deliveries to finish.
func (b *Bot) RunSocketMode(ctx context.Context, client *socketmode.Client) error {
	var inflight sync.WaitGroup
	defer inflight.Wait()
	done := make(chan error, 1)
	go func() { done <- client.RunContext(ctx) }()
	for {
		select {
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case evt, ok := <-client.Events:
			if !ok {
				return <-done
			}
			if evt.Request == nil {
				b.logConnection(evt)
				continue
			}
			inflight.Add(1)
			go func() {
				defer inflight.Done()
				b.handleSocketEvent(context.WithoutCancel(ctx), client, evt)
			}()
		}
	}
}

func (b *Bot) logConnection(evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		b.log.Info("socket mode connected")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
		b.log.Warn("socket mode connection problem", "type", evt.Type)
	case socketmode.EventTypeDisconnect:
		b.log.Info("socket mode reconnecting")
	}
}

// handleSocketEvent answers one envelope. An event that failed is not
// acked, so Slack delivers it again.
func (b *Bot) handleSocketEvent(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	ack := func(payload any) {
		var err error
		if payload = ackPayload(payload); payload == nil {
			err = client.Ack(*evt.Request)
		} else {
			err = client.Ack(*evt.Request, payload)
		}
		if err != nil {
			b.log.Warn("socket mode ack failed", "error", err)
		}
	}
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			ack(nil)
			return
		}
		ack(b.answerCommand(ctx, cmd))
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok {
			ack(nil)
			return
		}
		if answer, ok := b.answerInteraction(ctx, cb); ok {
			ack(answer)
		}
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			ack(nil)
			return
		}
		if ev.Type != slackevents.CallbackEvent {
			ack(nil)
			return
		}
		if err := b.handleCallbackEvent(ctx, ev); err == nil {
			ack(nil)
		}
	default:
		ack(nil)
	}
}
