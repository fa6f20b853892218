package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/db"
)

// Block and action ids of the team modal's inputs.
const (
	blockTeamChannel    = "team_channel"
	blockTeamSummary    = "team_summary"
	actionTeamChannel   = "channel"
	blockTeamSchedule   = "team_schedule"
	actionTeamSchedule  = "preset"
	blockTeamCron       = "team_cron"
	actionTeamCron      = "cron"
	blockTeamTZ         = "team_tz"
	actionTeamTZ        = "tz"
	blockTeamOpenFor    = "team_open_for"
	blockTeamRemind     = "team_remind"
	actionTeamHours     = "hours"
	blockTeamQuestions  = "team_questions"
	actionTeamQuestions = "count"
	blockTeamMinGroup   = "team_min_group"
	actionTeamMinGroup  = "k"
	optionRemindOff     = "off"
)

// Choices offered for how long a round stays open and when to remind, in hours.
var (
	openForChoices = []int{24, 48, 72, 96, 120, 144, 168, 240, 336}
	remindChoices  = []int{24, 48, 72, 96, 120, 144}
)

// teamModalState travels in the team modal's private_metadata: the member
// channel of the team being edited, or nothing for a new team.
type teamModalState struct {
	Channel string `json:"channel,omitempty"`
}

// openTeamModal opens the team form: empty with defaults for a new team
// (the time zone is the admin's own), or filled in to edit one.
func (b *Bot) openTeamModal(ctx context.Context, triggerID, adminID string, editing *db.Team) error {
	tz := "UTC"
	if u, err := b.user(ctx, adminID); err == nil && u.TZ != "" {
		tz = u.TZ
	}
	view, err := teamModal(editing, tz)
	if err != nil {
		return err
	}
	if _, err := b.api.OpenViewContext(ctx, triggerID, view); err != nil {
		return fmt.Errorf("open team modal: %w", err)
	}
	return nil
}

func teamModal(editing *db.Team, adminTZ string) (slack.ModalViewRequest, error) {
	t := db.Team{
		Schedule:       "CRON_TZ=" + adminTZ + " " + schedulePresets[0].spec,
		OpenForSeconds: int(db.DefaultOpenFor.Seconds()),
		QuestionsPer:   db.DefaultQuestions,
		MinGroup:       db.DefaultMinGroup,
	}
	remind := int(db.DefaultRemindAfter.Seconds())
	t.RemindSeconds = &remind
	title, st := "Add a team", teamModalState{}
	if editing != nil {
		t, title, st = *editing, "Edit team", teamModalState{Channel: editing.ChannelID}
	}
	meta, err := json.Marshal(st)
	if err != nil {
		return slack.ModalViewRequest{}, fmt.Errorf("encode team modal state: %w", err)
	}
	sched := splitSchedule(t.Schedule)

	var blocks []slack.Block
	if editing != nil {
		blocks = append(blocks, slack.NewSectionBlock(md(fmt.Sprintf(
			"*Members:* everyone in <#%s> gets the pulse. (To pulse another channel, add a new team.)", t.ChannelID)), nil, nil))
	} else {
		members := channelSelect("Choose the team's channel", "")
		blocks = append(blocks, slack.NewInputBlock(blockTeamChannel, plain("Member channel"),
			plain("Everyone in this channel gets the weekly pulse. For a private channel, invite Hearth first: /invite @Hearth"), members))
	}
	blocks = append(blocks, slack.NewInputBlock(blockTeamSummary, plain("Summary channel"),
		plain("Where the team's managers read the anonymized summary. It must differ from the member channel."),
		channelSelect("Choose where managers read the summary", t.SummaryChannelID)))

	preset := presetCustom
	for _, p := range schedulePresets {
		if p.spec == sched.expr {
			preset = p.spec
		}
	}
	presetOptions := make([]*slack.OptionBlockObject, 0, len(schedulePresets)+1)
	for _, p := range schedulePresets {
		presetOptions = append(presetOptions, slack.NewOptionBlockObject(p.spec, plain(p.label), nil))
	}
	presetOptions = append(presetOptions, slack.NewOptionBlockObject(presetCustom, plain("Custom — write it below"), nil))
	blocks = append(blocks, slack.NewInputBlock(blockTeamSchedule, plain("When a round opens"), nil,
		staticSelect("Choose a day and time", actionTeamSchedule, presetOptions, preset)))

	cronInput := slack.NewPlainTextInputBlockElement(plain("0 10 * * FRI"), actionTeamCron)
	if preset == presetCustom {
		cronInput.InitialValue = sched.expr
	}
	cronBlock := slack.NewInputBlock(blockTeamCron, plain("Custom schedule (cron)"),
		plain("Only with Custom above. Five fields: minute hour day-of-month month weekday — e.g. 30 9 * * TUE for Tuesdays at 9:30."), cronInput)
	cronBlock.Optional = true
	blocks = append(blocks, cronBlock)

	tzInput := slack.NewPlainTextInputBlockElement(plain("America/Denver"), actionTeamTZ)
	tzInput.InitialValue = sched.tz
	blocks = append(blocks, slack.NewInputBlock(blockTeamTZ, plain("Time zone"),
		plain("A time zone name such as America/Denver or Europe/London. Daylight saving is handled."), tzInput))

	openHours := t.OpenForSeconds / 3600
	blocks = append(blocks, slack.NewInputBlock(blockTeamOpenFor, plain("Open for"), nil,
		staticSelect("How long", actionTeamHours, hourOptions(openForChoices, openHours, ""), strconv.Itoa(openHours))))

	remindInitial := optionRemindOff
	remindHours := 0
	if t.RemindSeconds != nil {
		remindHours = *t.RemindSeconds / 3600
		remindInitial = strconv.Itoa(remindHours)
	}
	remindOptions := append([]*slack.OptionBlockObject{slack.NewOptionBlockObject(optionRemindOff, plain("No reminder"), nil)},
		hourOptions(remindChoices, remindHours, "After ")...)
	blocks = append(blocks, slack.NewInputBlock(blockTeamRemind, plain("Reminder"),
		plain("One reminder, only to people who haven't answered yet."),
		staticSelect("When", actionTeamHours, remindOptions, remindInitial)))

	var questionOptions []*slack.OptionBlockObject
	for n := db.MinQuestionsPerRound; n <= db.MaxQuestionsPerRound; n++ {
		label := strconv.Itoa(n)
		if n == db.DefaultQuestions {
			label += " (recommended)"
		}
		questionOptions = append(questionOptions, slack.NewOptionBlockObject(strconv.Itoa(n), plain(label), nil))
	}
	questions := slack.NewRadioButtonsBlockElement(actionTeamQuestions, questionOptions...)
	questions.InitialOption = optionWithValue(questionOptions, strconv.Itoa(t.QuestionsPer))
	blocks = append(blocks, slack.NewInputBlock(blockTeamQuestions, plain("Questions per round"),
		plain("More than 5 a week tires people."), questions))

	var kOptions []*slack.OptionBlockObject
	for k := db.MinMinGroup; k <= db.MaxMinGroup; k++ {
		kOptions = append(kOptions, slack.NewOptionBlockObject(strconv.Itoa(k), plain(minGroupLabel(k)), nil))
	}
	blocks = append(blocks, slack.NewInputBlock(blockTeamMinGroup, plain("Minimum group size"),
		plain("Managers see results only when at least this many people answered. 5 is recommended; below 5 it gets easier to guess who said what."),
		staticSelect("Choose", actionTeamMinGroup, kOptions, strconv.Itoa(t.MinGroup))))

	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackTeamModal,
		Title:           plain(title),
		Submit:          plain("Save team"),
		Close:           plain("Cancel"),
		Blocks:          slack.Blocks{BlockSet: blocks},
		PrivateMetadata: string(meta),
	}, nil
}

// minGroupLabel names a minimum group size, warning below the default.
func minGroupLabel(k int) string {
	switch {
	case k == db.MinMinGroup:
		return fmt.Sprintf("%d — lowest allowed; answers are easier to guess", k)
	case k < db.DefaultMinGroup:
		return fmt.Sprintf("%d — below the recommended %d", k, db.DefaultMinGroup)
	case k == db.DefaultMinGroup:
		return fmt.Sprintf("%d (recommended)", k)
	}
	return strconv.Itoa(k)
}

// channelSelect is a conversations select limited to channels.
func channelSelect(placeholder, initial string) *slack.SelectBlockElement {
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeConversations, plain(placeholder), actionTeamChannel)
	sel.Filter = &slack.SelectBlockElementFilter{Include: []string{"public", "private"}}
	sel.InitialConversation = initial
	return sel
}

// staticSelect is a static select with an initial option (when one has that value).
func staticSelect(placeholder, actionID string, options []*slack.OptionBlockObject, initial string) *slack.SelectBlockElement {
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(placeholder), actionID, options...)
	sel.InitialOption = optionWithValue(options, initial)
	return sel
}

func optionWithValue(options []*slack.OptionBlockObject, value string) *slack.OptionBlockObject {
	for _, o := range options {
		if o.Value == value {
			return o
		}
	}
	return nil
}

// hourOptions offers durations (in hours) as days, plus current when it is
// not one of them (a team set up from the command line).
func hourOptions(hours []int, current int, prefix string) []*slack.OptionBlockObject {
	var options []*slack.OptionBlockObject
	seen := false
	for _, h := range hours {
		seen = seen || h == current
		options = append(options, slack.NewOptionBlockObject(strconv.Itoa(h), plain(prefix+durationWords(time.Duration(h)*time.Hour)), nil))
	}
	if !seen && current > 0 {
		options = append(options, slack.NewOptionBlockObject(strconv.Itoa(current),
			plain(prefix+durationWords(time.Duration(current)*time.Hour)+" (current)"), nil))
	}
	return options
}

// teamForm is what a submitted team modal says.
type teamForm struct {
	channel, summary string
	preset, cron, tz string
	openFor, remind  time.Duration // remind < 0: no reminder
	questions        int
	minGroup         int
}

// readTeamForm reads the modal's state. problems holds what cannot be
// read, by block.
func readTeamForm(st teamModalState, state *slack.ViewState) (teamForm, map[string]string) {
	value := func(block, action string) slack.BlockAction {
		if state == nil {
			return slack.BlockAction{}
		}
		return state.Values[block][action]
	}
	problems := map[string]string{}
	f := teamForm{
		channel: st.Channel,
		summary: value(blockTeamSummary, actionTeamChannel).SelectedConversation,
		preset:  value(blockTeamSchedule, actionTeamSchedule).SelectedOption.Value,
		cron:    strings.TrimSpace(value(blockTeamCron, actionTeamCron).Value),
		tz:      strings.TrimSpace(value(blockTeamTZ, actionTeamTZ).Value),
	}
	if f.channel == "" {
		f.channel = value(blockTeamChannel, actionTeamChannel).SelectedConversation
		if f.channel == "" {
			problems[blockTeamChannel] = "Choose the channel whose members get the pulse."
		}
	}
	if f.summary == "" {
		problems[blockTeamSummary] = "Choose where the summary goes."
	}
	hours, err := strconv.Atoi(value(blockTeamOpenFor, actionTeamHours).SelectedOption.Value)
	if err != nil || hours <= 0 {
		problems[blockTeamOpenFor] = "Choose how long a round stays open."
	}
	f.openFor = time.Duration(hours) * time.Hour
	switch v := value(blockTeamRemind, actionTeamHours).SelectedOption.Value; v {
	case optionRemindOff:
		f.remind = -1
	default:
		hours, err := strconv.Atoi(v)
		if err != nil || hours <= 0 {
			problems[blockTeamRemind] = "Choose when to remind, or No reminder."
		}
		f.remind = time.Duration(hours) * time.Hour
	}
	if f.questions, err = strconv.Atoi(value(blockTeamQuestions, actionTeamQuestions).SelectedOption.Value); err != nil {
		problems[blockTeamQuestions] = "Choose how many questions a round asks."
	}
	if f.minGroup, err = strconv.Atoi(value(blockTeamMinGroup, actionTeamMinGroup).SelectedOption.Value); err != nil {
		problems[blockTeamMinGroup] = "Choose the minimum group size."
	}
	return f, problems
}

// check validates a team form without Slack; problems are by block.
func (f teamForm) check(problems map[string]string, now time.Time) teamSchedule {
	if f.channel != "" && f.channel == f.summary {
		problems[blockTeamSummary] = "Use a different channel from the members' one, so members don't read the summary before their managers do."
	}
	sched := teamSchedule{expr: f.preset, tz: f.tz}
	switch {
	case f.preset == "":
		problems[blockTeamSchedule] = "Choose when a round opens."
	case f.preset == presetCustom:
		sched.expr = strings.Join(strings.Fields(f.cron), " ")
		if p := checkCron(f.cron); p != "" {
			problems[blockTeamCron] = p
		}
	case f.cron != "":
		problems[blockTeamCron] = "Choose Custom above to use your own schedule, or clear this field."
	}
	if p := checkTimeZone(f.tz); p != "" {
		problems[blockTeamTZ] = p
	}
	if f.openFor > 0 && (f.openFor < db.MinOpenFor || f.openFor > db.MaxOpenFor) {
		problems[blockTeamOpenFor] = "A round stays open between 1 hour and 14 days."
	}
	if f.remind > 0 && f.openFor > 0 && f.remind >= f.openFor {
		problems[blockTeamRemind] = fmt.Sprintf("The reminder must come before the round closes (it's open %s).", durationWords(f.openFor))
	}
	if f.questions != 0 && (f.questions < db.MinQuestionsPerRound || f.questions > db.MaxQuestionsPerRound) {
		problems[blockTeamQuestions] = "A round asks 3, 4 or 5 questions."
	}
	switch {
	case f.minGroup == 0 && problems[blockTeamMinGroup] != "":
	case f.minGroup < db.MinMinGroup:
		problems[blockTeamMinGroup] = fmt.Sprintf("The minimum group size can't be below %d: with fewer people, anyone could work out who said what.", db.MinMinGroup)
	case f.minGroup > db.MaxMinGroup:
		problems[blockTeamMinGroup] = fmt.Sprintf("The minimum group size can be at most %d.", db.MaxMinGroup)
	}
	if problems[blockTeamSchedule] == "" && problems[blockTeamCron] == "" && problems[blockTeamTZ] == "" && f.openFor > 0 {
		if p := checkCadence(sched, f.openFor, now); p != "" {
			problems[blockTeamSchedule] = p
		}
	}
	return sched
}

// submitTeamModal validates the team form — including that Hearth can see
// both channels — and saves the team. Problems are shown under their field;
// the modal stays open and nothing is saved.
func (b *Bot) submitTeamModal(ctx context.Context, cb slack.InteractionCallback) (any, error) {
	admin, err := b.isAdmin(ctx, cb.User.ID)
	if err != nil {
		return nil, err
	}
	var st teamModalState
	if cb.View.PrivateMetadata != "" {
		if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &st); err != nil {
			return nil, fmt.Errorf("decode team modal state: %w", err)
		}
	}
	firstBlock := blockTeamSummary
	if st.Channel == "" {
		firstBlock = blockTeamChannel
	}
	if !admin {
		return fieldError(firstBlock, "Only Hearth admins can set up teams."), nil
	}
	f, problems := readTeamForm(st, cb.View.State)
	sched := f.check(problems, b.now())
	if st.Channel == "" && problems[blockTeamChannel] == "" {
		if p := b.checkChannel(ctx, f.channel, "member"); p != "" {
			problems[blockTeamChannel] = p
		}
	}
	if problems[blockTeamSummary] == "" {
		if p := b.checkChannel(ctx, f.summary, "summary"); p != "" {
			problems[blockTeamSummary] = p
		}
	}
	if len(problems) > 0 {
		return slack.NewErrorsViewSubmissionResponse(problems), nil
	}
	nt := db.NewTeam{
		ChannelID:        f.channel,
		SummaryChannelID: f.summary,
		Schedule:         sched.String(),
		OpenFor:          f.openFor,
		RemindAfter:      f.remind,
		QuestionsPer:     f.questions,
		MinGroup:         f.minGroup,
	}
	var team db.Team
	if st.Channel == "" {
		team, err = b.store.AddTeam(ctx, nt)
	} else {
		team, err = b.store.UpdateTeam(ctx, nt)
	}
	switch {
	case errors.Is(err, db.ErrConflict):
		return fieldError(blockTeamChannel, fmt.Sprintf("<#%s> already has a team. To change it, use `/hearth team edit #channel`.", f.channel)), nil
	case errors.Is(err, db.ErrNotFound):
		return fieldError(firstBlock, "This team was removed meanwhile. Add it again with `/hearth team add`."), nil
	case errors.Is(err, db.ErrTeamInvalid):
		return fieldError(firstBlock, teamInvalidText(err)), nil
	case err != nil:
		return nil, err
	}
	b.log.Info("team saved", "team_id", team.ID, "channel_id", team.ChannelID)
	return slack.NewUpdateViewSubmissionResponse(&slack.ModalViewRequest{
		Type:   slack.VTModal,
		Title:  plain("Team saved"),
		Close:  plain("Done"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(md(teamSavedText(team, b.now())), nil, nil)}},
	}), nil
}

// teamInvalidText turns the store's refusal into a sentence.
func teamInvalidText(err error) string {
	return strings.ReplaceAll(err.Error(), db.ErrTeamInvalid.Error()+": ", "")
}

// checkChannel returns why Hearth cannot use a channel as a team's member
// or summary channel, or "".
func (b *Bot) checkChannel(ctx context.Context, channelID, role string) string {
	ch, err := b.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channelID})
	switch {
	case slackErrorCode(err) == "channel_not_found":
		return "Hearth can't see this channel. If it's private, invite Hearth first — type `/invite @Hearth` in the channel — then save again."
	case err != nil:
		b.log.Warn("channel check failed", "channel_id", channelID, "error", err)
		return "Slack didn't let Hearth check this channel just now. Please try again in a moment."
	case ch.IsIM || ch.IsMpIM:
		return "Choose a channel, not a direct message."
	case ch.IsArchived:
		return fmt.Sprintf("This channel is archived. Choose a %s channel that's in use.", role)
	}
	return ""
}
