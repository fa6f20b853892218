package bot

// The Slack surface Hearth handles. manifest.yaml must declare exactly these;
// bot/manifest_test.go enforces it in both directions.

// Slash commands.
const (
	CommandKudos  = "/kudos"
	CommandHearth = "/hearth"
)

// Callback ids of shortcuts and modals.
const (
	CallbackGlobalKudos  = "kudos_global"  // global shortcut: open the kudos modal
	CallbackMessageKudos = "kudos_message" // message shortcut: "Kudos for this"
	CallbackKudosModal   = "kudos_modal"   // view_submission of the kudos modal
	CallbackPulseModal   = "pulse_modal"   // view_submission of a pulse's answers
	CallbackTeamModal    = "team_modal"    // view_submission of /hearth team add|edit
)

// Action ids of interactive components.
const (
	ActionOpenKudosModal = "open_kudos_modal" // App Home button
	ActionPulseOpen      = "pulse_open"       // "Answer the pulse" in a pulse DM; value: the round id
)

// Event types of the message metadata Hearth tags its pulse DMs with, so a
// retried delivery can find a DM it already posted (payload: round_id).
const (
	MetadataPulse         = "hearth_pulse"
	MetadataPulseReminder = "hearth_pulse_reminder"
)

// Bot events Hearth subscribes to.
const (
	EventReactionAdded   = "reaction_added"
	EventReactionRemoved = "reaction_removed"
	EventAppHomeOpened   = "app_home_opened"
)

// Commands lists the slash commands Hearth handles.
var Commands = []string{CommandKudos, CommandHearth}

// GlobalShortcuts lists the callback ids of global shortcuts.
var GlobalShortcuts = []string{CallbackGlobalKudos}

// MessageShortcuts lists the callback ids of message shortcuts.
var MessageShortcuts = []string{CallbackMessageKudos}

// BotEvents lists the bot events Hearth subscribes to.
var BotEvents = []string{EventReactionAdded, EventReactionRemoved, EventAppHomeOpened}

// BotScopes lists the OAuth bot scopes Hearth's code uses, with the reason.
var BotScopes = map[string]string{
	"commands":          "slash commands and shortcuts",
	"chat:write":        "post kudos, pulse DMs, summaries and confirmations; update answered pulse DMs",
	"chat:write.public": "post to the kudos channel without an invite",
	"im:write":          "open DMs with recipients",
	"users:read":        "time zones, bots and deactivated users",
	"reactions:read":    "reaction_added / reaction_removed events",
	"channels:read":     "members and details of public team channels (conversations.members/info)",
	"groups:read":       "members and details of private team channels Hearth was invited to",
	"im:history":        "find a pulse DM already sent (by its metadata) before sending it again",
}
