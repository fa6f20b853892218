package bot_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-oss/hearth/bot/slacktest"
)

func TestKudosCommandRecordsAndDelivers(t *testing.T) {
	t.Parallel()
	h := setup(t)
	if _, err := h.store.AddValue(context.Background(), "teamwork", "We cover for each other", admin); err != nil {
		t.Fatal(err)
	}
	status, text := h.command(alice, "/kudos", "<@UBOB|bob> <@UCAROL> for covering my Friday shift #TeamWork")
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	for _, want := range []string{"<@UBOB>", "<@UCAROL>", "#teamwork", "4 of 5 kudos left today"} {
		if !strings.Contains(text, want) {
			t.Errorf("confirmation %q lacks %q", text, want)
		}
	}
	if n := h.count(`SELECT count(*) FROM kudos WHERE giver_id = $1 AND value = 'teamwork'`, alice); n != 1 {
		t.Fatalf("kudos rows = %d, want 1", n)
	}
	// Public post in the kudos channel naming giver, recipients, value and message.
	h.await("kudos channel post", func() bool { return len(h.messagesIn(kudosCh)) == 1 })
	post := h.messagesIn(kudosCh)[0]
	for _, want := range []string{"<@UALICE>", "<@UBOB>", "<@UCAROL>", "#teamwork"} {
		if !strings.Contains(post.Text, want) {
			t.Errorf("channel post %q lacks %q", post.Text, want)
		}
	}
	if !strings.Contains(string(post.Blocks), "covering my Friday shift") {
		t.Errorf("channel post blocks lack the message: %s", post.Blocks)
	}
	// A DM to each recipient, and App Home refreshed for everyone involved.
	h.await("recipient DMs", func() bool { return len(h.messagesIn(bob)) == 1 && len(h.messagesIn(carol)) == 1 })
	h.await("App Homes", func() bool {
		_, a := h.slack.Published(alice)
		_, b := h.slack.Published(bob)
		return a && b
	})
	home, _ := h.slack.Published(bob)
	if !strings.Contains(string(home.Blocks), "covering my Friday shift") {
		t.Errorf("Bob's App Home doesn't show the kudos: %s", home.Blocks)
	}
	// The command's own answer was the giver's confirmation: no DM to Alice.
	if n := len(h.messagesIn(alice)); n != 0 {
		t.Errorf("giver got %d DMs, want 0", n)
	}
}

func TestSixthKudosOfTheDayIsRefused(t *testing.T) {
	t.Parallel()
	h := setup(t)
	for i := 1; i <= 5; i++ {
		_, text := h.command(alice, "/kudos", fmt.Sprintf("<@UBOB> thanks number %d", i))
		if !strings.Contains(text, "on its way") {
			t.Fatalf("kudos %d: %q", i, text)
		}
	}
	_, text := h.command(alice, "/kudos", "<@UBOB> thanks number 6")
	if !strings.Contains(text, "all 5 of your kudos for today") || !strings.Contains(text, "America/Denver") {
		t.Errorf("6th kudos answer = %q, want a clear allowance refusal in Alice's time zone", text)
	}
	if !strings.Contains(text, "thanks number 6") {
		t.Errorf("refusal should give back what was typed: %q", text)
	}
	if n := h.count(`SELECT count(*) FROM kudos`); n != 5 {
		t.Fatalf("kudos rows = %d, want 5", n)
	}
	// Others still have their own allowance.
	if _, text := h.command(bob, "/kudos", "<@UALICE> for the handover notes"); !strings.Contains(text, "on its way") {
		t.Errorf("Bob's kudos: %q", text)
	}
}

func TestKudosConcurrentCommandsHoldTheAllowance(t *testing.T) {
	t.Parallel()
	h := setup(t)
	const n = 12
	var wg sync.WaitGroup
	var mu sync.Mutex
	sent, refused := 0, 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, text := h.command(alice, "/kudos", fmt.Sprintf("<@UBOB> parallel thanks %d", i))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case strings.Contains(text, "on its way"):
				sent++
			case strings.Contains(text, "all 5 of your kudos"):
				refused++
			default:
				t.Errorf("unexpected answer %q", text)
			}
		}()
	}
	wg.Wait()
	if sent != 5 || refused != n-5 {
		t.Fatalf("sent %d, refused %d; want 5 and %d", sent, refused, n-5)
	}
	if got := h.count(`SELECT count(*) FROM kudos`); got != 5 {
		t.Fatalf("kudos rows = %d, want 5", got)
	}
}

func TestKudosRefusalsAreKindAndRecordNothing(t *testing.T) {
	t.Parallel()
	h := setup(t)
	if _, err := h.store.AddValue(context.Background(), "care", "", admin); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		text string
		want string
	}{
		{"<@UALICE> for being me", "can't give them to yourself"},
		{"<@UROBOT> for the reminders", "is a bot"},
		{"<@UGONE> for years of help", "no longer active"},
		{"<!subteam^S123|@nurses> for a great week", "not to channels or groups"},
		{"<!here> thanks all", "not to channels or groups"},
		{"@bob for the coffee", "couldn't tell who @bob is"},
		{"<@UBOB>", "Add a few words"},
		{"for nothing in particular", "Who should get the kudos?"},
		{"<@UBOB> for the rota #speed", "#speed isn't one of your company values"},
		{"<@UBOB> " + strings.Repeat("so good ", 200), "longer than 1000 characters"},
	}
	for _, c := range cases {
		status, text := h.command(alice, "/kudos", c.text)
		if status != http.StatusOK || !strings.Contains(text, c.want) {
			t.Errorf("/kudos %s → %d %q, want text containing %q", c.text, status, text, c.want)
		}
	}
	if n := h.count(`SELECT count(*) FROM kudos`); n != 0 {
		t.Fatalf("refused kudos recorded %d rows", n)
	}
	if n := h.count(`SELECT COALESCE(sum(used), 0) FROM kudos_allowance_usage`); n != 0 {
		t.Fatalf("refused kudos spent %d of the allowance", n)
	}
}

func TestRedeliveredCommandActsOnce(t *testing.T) {
	t.Parallel()
	h := setup(t)
	form := h.commandForm(alice, "/kudos", "<@UBOB> for the late-night intake")
	_, first := h.sendCommand(form)
	_, second := h.sendCommand(form) // the same delivery again (same trigger_id)
	if first != second || !strings.Contains(first, "4 of 5") {
		t.Errorf("answers differ or are wrong: %q vs %q", first, second)
	}
	if n := h.count(`SELECT count(*) FROM kudos`); n != 1 {
		t.Fatalf("kudos rows = %d, want 1", n)
	}
	h.await("one DM to Bob", func() bool { return len(h.messagesIn(bob)) == 1 })
	// Concurrent redeliveries too.
	form = h.commandForm(alice, "/kudos", "<@UCAROL> for the supervision session")
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() { defer wg.Done(); h.sendCommand(form) }()
	}
	wg.Wait()
	if n := h.count(`SELECT count(*) FROM kudos WHERE message LIKE '%supervision%'`); n != 1 {
		t.Fatalf("concurrent redeliveries recorded %d kudos, want 1", n)
	}
}

func TestForgedAndStaleRequestsChangeNothing(t *testing.T) {
	t.Parallel()
	h := setup(t)
	body := []byte(h.commandForm(alice, "/kudos", "<@UBOB> forged thanks").Encode())
	now := time.Now().Unix()
	cases := []struct {
		name   string
		ts     int64
		secret string
		body   []byte
		want   int
	}{
		{"unsigned", now, "", body, http.StatusUnauthorized},
		{"wrong secret", now, "not-the-secret", body, http.StatusUnauthorized},
		{"six minutes old", now - 6*60, signingSecret, body, http.StatusUnauthorized},
		{"from the future", now + 6*60, signingSecret, body, http.StatusUnauthorized},
		{"too large", now, signingSecret, []byte("text=" + strings.Repeat("a", 2<<20)), http.StatusRequestEntityTooLarge},
	}
	for _, path := range []string{"/slack/commands", "/slack/interactions", "/slack/events"} {
		for _, c := range cases {
			status, _ := h.post(path, "application/x-www-form-urlencoded", c.body, c.ts, c.secret)
			if status != c.want {
				t.Errorf("%s %s: status %d, want %d", path, c.name, status, c.want)
			}
		}
	}
	// A body tampered with after signing.
	req, _ := http.NewRequest(http.MethodPost, h.http.URL+"/slack/commands", strings.NewReader(string(body)+"x"))
	req.Header.Set("X-Slack-Request-Timestamp", fmt.Sprint(now))
	req.Header.Set("X-Slack-Signature", sign(signingSecret, now, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("tampered body: status %d, want 401", resp.StatusCode)
	}
	if n := h.count(`SELECT count(*) FROM kudos`) + h.count(`SELECT count(*) FROM slack_inbound`); n != 0 {
		t.Fatalf("forged requests wrote %d rows", n)
	}
	if n := h.slack.Calls("users.info"); n != 0 {
		t.Fatalf("forged requests made %d Slack calls", n)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	h := setup(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(h.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
	// Readiness follows the schema: a database one migration behind is not ready.
	if _, err := h.store.Exec(`DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)`); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(h.http.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz on an old schema: %d, want 503", resp.StatusCode)
	}
}

func TestKudosDeliverySurvivesRateLimitsAndErrors(t *testing.T) {
	t.Parallel()
	h := setup(t)
	// Slack says slow down, then fails twice more, before accepting.
	h.slack.FailNext("chat.postMessage", 1, slacktest.Failure{Status: http.StatusTooManyRequests, RetryAfter: 1})
	h.slack.FailNext("chat.postMessage", 1, slacktest.Failure{Status: http.StatusServiceUnavailable})
	_, text := h.command(alice, "/kudos", "<@UBOB> for staying calm in the storm")
	if !strings.Contains(text, "on its way") {
		t.Fatalf("answer %q", text)
	}
	h.await("delivery after the storm", func() bool {
		return len(h.messagesIn(kudosCh)) == 1 && len(h.messagesIn(bob)) == 1
	})
	if got := h.slack.Rejected("chat.postMessage"); got < 2 {
		t.Errorf("fake Slack rejected %d posts, want at least 2 (the faults were not exercised)", got)
	}
	// A channel Hearth cannot post to must not block the DMs.
	if err := h.store.SetSetting(context.Background(), "kudos_channel", "CMISSING"); err != nil {
		t.Fatal(err)
	}
	_, text = h.command(alice, "/kudos", "<@UCAROL> for the rota")
	if !strings.Contains(text, "on its way") {
		t.Fatalf("answer %q", text)
	}
	h.await("DM despite a missing channel", func() bool { return len(h.messagesIn(carol)) == 1 })
}

func TestKudosStatsAndLeaderboard(t *testing.T) {
	t.Parallel()
	h := setup(t)
	h.command(alice, "/kudos", "<@UBOB> for the handover")
	h.command(carol, "/kudos", "<@UBOB> for the coffee")
	_, text := h.command(bob, "/kudos", "stats")
	if !strings.Contains(text, "received 2 kudos") || !strings.Contains(text, "5 of 5 kudos left") {
		t.Errorf("stats = %q", text)
	}
	_, text = h.command(bob, "/kudos", "leaderboard")
	if !strings.Contains(text, "off") {
		t.Errorf("leaderboard should be off by default: %q", text)
	}
	_, text = h.command(admin, "/hearth", "leaderboard on")
	if !strings.Contains(text, "now on") {
		t.Fatalf("turning the leaderboard on: %q", text)
	}
	_, text = h.command(bob, "/kudos", "leaderboard")
	if !strings.Contains(text, "1. <@UBOB> — 2 kudos") {
		t.Errorf("leaderboard = %q", text)
	}
}

func TestAdminCommands(t *testing.T) {
	t.Parallel()
	h := setup(t)
	_, text := h.command(alice, "/hearth", "values add teamwork")
	if !strings.Contains(text, "Only Hearth admins") {
		t.Errorf("non-admin: %q", text)
	}
	steps := []struct{ text, want string }{
		{"values add teamwork We cover for each other", "Added #teamwork"},
		{"values add teamwork", "already a value"},
		{"values add !!bad", "single word"},
		{"values", "#teamwork We cover for each other"},
		{"values required on", "must now name"},
		{"kudos allowance 3", "3 kudos a day"},
		{"kudos allowance 0", "from 1 to 50"},
		{"kudos emoji :tada:", "Reacting with :tada:"},
		{"kudos channel <#CGENERAL|general>", "<#CGENERAL>"},
		{"settings", "Allowance: 3 a day"},
		{"values remove teamwork", "Removed #teamwork"},
		{"values remove teamwork", "no value #teamwork"},
		{"frobnicate", "didn't understand"},
	}
	for _, s := range steps {
		if _, text := h.command(admin, "/hearth", s.text); !strings.Contains(text, s.want) {
			t.Errorf("/hearth %s → %q, want %q", s.text, text, s.want)
		}
	}
	_, text = h.command(alice, "/hearth", "")
	if !strings.Contains(text, "/kudos @teammate") {
		t.Errorf("help: %q", text)
	}
}

func TestKudosWithNoTextOpensTheModal(t *testing.T) {
	t.Parallel()
	h := setup(t)
	status, body := h.postSigned("/slack/commands", "application/x-www-form-urlencoded",
		[]byte(h.commandForm(alice, "/kudos", "").Encode()))
	if status != http.StatusOK || body != "" {
		t.Fatalf("status %d body %q, want an empty 200 ack", status, body)
	}
	views := h.slack.ViewsOpened()
	if len(views) != 1 || views[0].CallbackID != "kudos_modal" {
		t.Fatalf("views opened: %+v", views)
	}
}

func TestUnknownFormIsABadRequest(t *testing.T) {
	t.Parallel()
	h := setup(t)
	status, _ := h.postSigned("/slack/interactions", "application/x-www-form-urlencoded", []byte(url.Values{"x": {"y"}}.Encode()))
	if status != http.StatusBadRequest {
		t.Errorf("interaction without payload: %d, want 400", status)
	}
}
