package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/bot"
	"github.com/hearth-oss/hearth/bot/slacktest"
	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/questionbank"
	"github.com/hearth-oss/hearth/jobs"
)

// demoClock is simulated time that still moves with the wall clock, so
// pacing and timeouts behave, and jumps forward a week at a time.
type demoClock struct {
	mu     sync.Mutex
	base   time.Time
	offset time.Duration
	real   time.Time
}

// Now is the simulated time.
func (c *demoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Add(c.offset + time.Since(c.real))
}

// Set jumps the simulated time to t.
func (c *demoClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.offset, c.real = t, 0, time.Now()
}

// demoTeam is one simulated team: its people and the climate they work in.
type demoTeam struct {
	name, slug     string
	channel        string
	summaryChannel string
	members        []string
	minGroup       int
	participation  float64
	// climate is the team's typical agreement (1–5) by theme; drift moves
	// it per week (e.g. a workload crunch building up).
	climate map[string]float64
	drift   map[string]float64
	id      int64
}

type demoWorld struct {
	rng     *rand.Rand
	clock   *demoClock
	loc     *time.Location
	start   time.Time
	teams   []*demoTeam
	offsets map[string]float64 // each person's own outlook
	names   map[string]string
	support string // the organization's support resources, if set
	bank    *questionbank.Bank
}

var demoComments = []string{
	"Short-staffed again on the weekend; the on-call rota needs another look.",
	"Supervision after the hard case on Tuesday really helped.",
	"The new intake form takes twice as long as the old one.",
	"Grateful for this team. We carried each other this week.",
	"I'd like more time for documentation that isn't after hours.",
	"Please keep the Friday huddle, it's the one time we all talk.",
	"Not sure who to go to when a client situation escalates at night.",
	"Training on the new EHR would make a real difference.",
	"Feeling stretched but supported.",
	"Two colleagues out sick and nobody covered their caseload.",
}

func newDemoWorld() *demoWorld {
	loc, err := time.LoadLocation("America/Denver")
	if err != nil {
		loc = time.UTC
	}
	// Start on the next Friday at 10:00 Denver time. Simulated time runs
	// ahead of the wall clock so that the jobs River schedules for later
	// (closes, reminders) wait, and the demo itself closes each round.
	now := time.Now().In(loc)
	start := time.Date(now.Year(), now.Month(), now.Day(), 10, 0, 0, 0, loc).AddDate(0, 0, 1)
	for start.Weekday() != time.Friday {
		start = start.AddDate(0, 0, 1)
	}
	w := &demoWorld{rng: rand.New(rand.NewPCG(2026, 11)), loc: loc, start: start, offsets: map[string]float64{}, names: map[string]string{},
		clock: &demoClock{}}
	w.clock.Set(start)
	w.teams = []*demoTeam{
		{name: "Residential nursing", slug: "residential-nursing", channel: "CNURSING", summaryChannel: "CNURSINGMGR", minGroup: 5, participation: 0.72,
			climate: map[string]float64{"wellness": 2.9, "workload": 2.4, "care_strain": 2.6, "safety": 3.4, "engagement": 3.6},
			drift:   map[string]float64{"workload": -0.12, "wellness": -0.08}},
		{name: "Outpatient clinic", slug: "outpatient-clinic", channel: "COUTPATIENT", summaryChannel: "COUTPATIENTMGR", minGroup: 5, participation: 0.85,
			climate: map[string]float64{"wellness": 3.8, "workload": 3.4, "care_strain": 3.3, "engagement": 4.0},
			drift:   map[string]float64{"recognition": 0.1}},
		{name: "Crisis line", slug: "crisis-line", channel: "CCRISIS", summaryChannel: "CCRISISMGR", minGroup: 5, participation: 0.7,
			climate: map[string]float64{"wellness": 3.0, "care_strain": 2.5, "engagement": 3.7}},
	}
	first := []string{"Ada", "Ben", "Carmen", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jo", "Kemal", "Lena", "Marisol", "Nate", "Olu", "Priya",
		"Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vic", "Wren", "Xiu", "Yusuf", "Zoe", "Ari", "Bea", "Cal", "Dina", "Eve", "Finn", "Gia", "Hugo", "Ines", "Jude"}
	sizes := []int{22, 9, 5}
	n := 0
	for i, t := range w.teams {
		for range sizes[i] {
			id := fmt.Sprintf("UDEMO%03d", n)
			w.names[id] = first[n%len(first)]
			w.offsets[id] = w.rng.NormFloat64() * 0.45
			t.members = append(t.members, id)
			n++
		}
	}
	return w
}

func (w *demoWorld) people() int { return len(w.offsets) }

// populate creates the people and channels in the fake workspace.
func (w *demoWorld) populate(fake *slacktest.Server) {
	for id, name := range w.names {
		fake.AddUser(slacktest.User{ID: id, Name: strings.ToLower(name), RealName: name, TZ: "America/Denver"})
	}
	fake.AddUser(slacktest.User{ID: "UDEMOBOT", Name: "scheduler-bot", IsBot: true})
	var everyone []string
	for _, t := range w.teams {
		members := append([]string{fake.BotUserID(), "UDEMOBOT"}, t.members...)
		fake.AddChannel(slacktest.Channel{ID: t.channel, Name: t.slug, Members: members})
		manager := t.members[0]
		fake.AddChannel(slacktest.Channel{ID: t.summaryChannel, Name: t.slug + "-managers", Members: []string{fake.BotUserID(), manager}})
		everyone = append(everyone, t.members...)
	}
	fake.AddChannel(slacktest.Channel{ID: "CKUDOS", Name: "kudos", Members: append([]string{fake.BotUserID()}, everyone...)})
}

// configure sets up Hearth as an admin would: kudos channel, values, teams.
func (w *demoWorld) configure(ctx context.Context, store *db.DB) error {
	if err := store.InitSettings(ctx, db.KudosSettings{Channel: "CKUDOS", Emoji: "raised_hands", Allowance: 5}); err != nil {
		return err
	}
	for _, v := range [][2]string{{"care", "We treat clients like family"}, {"teamwork", "We cover for each other"}, {"courage", "We speak up"}} {
		if _, err := store.AddValue(ctx, v[0], v[1], "demo"); err != nil {
			return err
		}
	}
	for _, t := range w.teams {
		team, err := store.AddTeam(ctx, db.NewTeam{ChannelID: t.channel, SummaryChannelID: t.summaryChannel,
			Schedule: "CRON_TZ=America/Denver 0 10 * * FRI", MinGroup: t.minGroup})
		if err != nil {
			return err
		}
		t.id = team.ID
	}
	return nil
}

func demoSlackClient(fake *slacktest.Server) *slack.Client {
	return slack.New(fake.BotToken(), slack.OptionAPIURL(fake.APIURL()))
}

// playWeek opens every team's round, lets the simulated staff answer and
// give kudos, then closes the rounds and waits for the summaries.
func (w *demoWorld) playWeek(ctx context.Context, week int, store *db.DB, b *bot.Bot, runner *jobs.Runner, fake *slacktest.Server) (string, error) {
	opened := w.start.AddDate(0, 0, 7*(week-1))
	w.clock.Set(opened)
	rounds := map[int64]db.Round{}
	asked := 0
	for _, t := range w.teams {
		if err := runner.EnqueueRoundOpen(ctx, t.id); err != nil {
			return "", err
		}
		var r db.Round
		err := waitFor(ctx, 30*time.Second, "round of "+t.name, func() (bool, error) {
			var err error
			r, err = store.OpenRoundOf(ctx, t.id)
			if err != nil {
				return false, nil
			}
			c, err := store.RoundDeliveryCounts(ctx, r.ID)
			return err == nil && c.Pending == 0, err
		})
		if err != nil {
			return "", err
		}
		rounds[t.id] = r
		asked += r.MemberCount
	}
	// A day later, people answer and thank each other.
	w.clock.Set(opened.Add(26 * time.Hour))
	answered, kudos := 0, 0
	for _, t := range w.teams {
		r := rounds[t.id]
		for _, person := range t.members {
			if w.rng.Float64() > t.participation {
				continue
			}
			ok, err := w.answer(ctx, b, fake, t, r, person, week)
			if err != nil {
				return "", err
			}
			if ok {
				answered++
			}
		}
		for range max(1, len(t.members)/4) {
			if w.giveKudos(ctx, b, fake, t) {
				kudos++
			}
		}
	}
	// Three days after opening, the rounds close and summaries go out.
	w.clock.Set(opened.Add(72 * time.Hour))
	for _, t := range w.teams {
		if err := runner.EnqueueRoundClose(ctx, rounds[t.id].ID); err != nil {
			return "", err
		}
	}
	for _, t := range w.teams {
		id := rounds[t.id].ID
		if err := waitFor(ctx, 30*time.Second, "summary of "+t.name, func() (bool, error) { return store.SummaryPosted(ctx, id) }); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("week %d (%s): %d people asked, %d answered, %d kudos, %d summaries posted",
		week, opened.Format("Jan 2"), asked, answered, kudos, len(w.teams)), nil
}

// answer clicks the pulse DM's button and submits the modal as the person would.
func (w *demoWorld) answer(ctx context.Context, b *bot.Bot, fake *slacktest.Server, t *demoTeam, r db.Round, person string, week int) (bool, error) {
	click := slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, TriggerID: fake.NewTriggerID(),
		User: slack.User{ID: person}, Team: slack.Team{ID: fake.TeamID()},
		ActionCallback: slack.ActionCallbacks{BlockActions: []*slack.BlockAction{{ActionID: bot.ActionPulseOpen, Value: strconv.FormatInt(r.ID, 10)}}}}
	before := len(fake.ViewsOpened())
	if _, err := b.HandleInteraction(ctx, click); err != nil {
		return false, err
	}
	views := fake.ViewsOpened()
	if len(views) == before || views[len(views)-1].CallbackID != bot.CallbackPulseModal {
		return false, nil // a notice instead of the form
	}
	view := views[len(views)-1]
	var blocks []struct {
		Type    string `json:"type"`
		BlockID string `json:"block_id"`
		Label   struct {
			Text string `json:"text"`
		} `json:"label"`
		Element struct {
			Type     string `json:"type"`
			ActionID string `json:"action_id"`
		} `json:"element"`
	}
	if err := json.Unmarshal(view.Blocks, &blocks); err != nil {
		return false, fmt.Errorf("read pulse modal: %w", err)
	}
	values := map[string]map[string]slack.BlockAction{}
	for _, blk := range blocks {
		if blk.Type != "input" {
			continue
		}
		if blk.Element.Type == "plain_text_input" {
			if w.rng.Float64() < 0.3 {
				values[blk.BlockID] = map[string]slack.BlockAction{blk.Element.ActionID: {Type: "plain_text_input", Value: demoComments[w.rng.IntN(len(demoComments))]}}
			}
			continue
		}
		for _, q := range r.Questions {
			if q.Text == blk.Label.Text {
				v := strconv.Itoa(w.score(t, q, person, week))
				values[blk.BlockID] = map[string]slack.BlockAction{blk.Element.ActionID: {Type: slack.ActionType(blk.Element.Type), SelectedOption: slack.OptionBlockObject{Value: v}}}
			}
		}
	}
	submit := slack.InteractionCallback{Type: slack.InteractionTypeViewSubmission, User: slack.User{ID: person}, Team: slack.Team{ID: fake.TeamID()},
		View: slack.View{ID: view.ID, CallbackID: view.CallbackID, PrivateMetadata: view.PrivateMetadata, State: &slack.ViewState{Values: values}}}
	answer, err := b.HandleInteraction(ctx, submit)
	if err != nil {
		return false, err
	}
	raw, _ := json.Marshal(answer)
	return !strings.Contains(string(raw), `"errors"`), nil
}

// score is a realistic answer: the team's climate for the theme this week,
// the person's outlook, and the noise of any given day.
func (w *demoWorld) score(t *demoTeam, q db.RoundQuestion, person string, week int) int {
	base, ok := t.climate[q.Theme]
	if !ok {
		base = 3.5
	}
	base += t.drift[q.Theme] * float64(week-1)
	v := base + w.offsets[person] + w.rng.NormFloat64()*0.7
	if q.Scale == "enps11" {
		avg := 0.0
		for _, c := range t.climate {
			avg += c
		}
		avg /= float64(len(t.climate))
		e := (avg+w.offsets[person])*2 + w.rng.NormFloat64()*1.5
		return int(math.Max(0, math.Min(10, math.Round(e))))
	}
	if !q.HigherIsBetter {
		v = 6 - v
	}
	return int(math.Max(float64(q.Min), math.Min(float64(q.Max), math.Round(v))))
}

var demoReasons = []string{
	"for covering my Friday shift #teamwork",
	"for staying calm with a client in crisis #courage",
	"for the thoughtful handover notes #care",
	"for training the new hire #teamwork",
	"for speaking up in the safety huddle #courage",
	"for bringing soup when I was sick #care",
}

// giveKudos has one team member thank another with /kudos.
func (w *demoWorld) giveKudos(ctx context.Context, b *bot.Bot, fake *slacktest.Server, t *demoTeam) bool {
	giver := t.members[w.rng.IntN(len(t.members))]
	recipient := t.members[w.rng.IntN(len(t.members))]
	if giver == recipient {
		return false
	}
	cmd := slack.SlashCommand{Command: bot.CommandKudos, UserID: giver, ChannelID: t.channel, TeamID: fake.TeamID(),
		Text: fmt.Sprintf("<@%s> %s", recipient, demoReasons[w.rng.IntN(len(demoReasons))]), TriggerID: fake.NewTriggerID()}
	answer, err := b.HandleCommand(ctx, cmd)
	if err != nil {
		return false
	}
	raw, _ := json.Marshal(answer)
	return strings.Contains(string(raw), "on its way")
}
