package bot

import (
	"context"

	"github.com/slack-go/slack"
)

// isPulseOptCommand reports whether /hearth args are for anyone: "pulse",
// "pulse on", "pulse off" (and their typos). "pulse open|close" are for admins.
func isPulseOptCommand(args []string) bool {
	return len(args) > 0 && args[0] == "pulse" && (len(args) == 1 || (args[1] != "open" && args[1] != "close"))
}

// pulseOptCommand answers /hearth pulse [on|off]: anyone can stop or
// restart their own pulses, or ask whether they get them.
func (b *Bot) pulseOptCommand(ctx context.Context, cmd slack.SlashCommand, args []string) (any, error) {
	switch {
	case len(args) == 1:
		out, err := b.store.OptedOut(ctx, []string{cmd.UserID})
		if err != nil {
			return nil, err
		}
		if out[cmd.UserID] {
			return ephemeral(pulseStateOffText), nil
		}
		return ephemeral(pulseStateOnText), nil
	case len(args) != 2 || (args[1] != "on" && args[1] != "off"):
		return ephemeral("Use `/hearth pulse off` to stop getting wellness pulses, `/hearth pulse on` to get them again, or `/hearth pulse` to see which it is."), nil
	}
	off := args[1] == "off"
	if err := b.store.SetOptOut(ctx, cmd.UserID, off); err != nil {
		return nil, err
	}
	if off {
		return ephemeral(pulseOffText), nil
	}
	return ephemeral(pulseOnText), nil
}
