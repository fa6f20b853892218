package bot_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestReactionGivesKudosOnceAndRemovalTakesItBack(t *testing.T) {
	t.Parallel()
	h := setup(t)
	added := reaction("reaction_added", alice, "raised_hands::skin-tone-3", generalC, "1700000000.000100", bob)
	// The same event delivered three times (Slack retries), two at once.
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if status, _ := h.event("Ev0REACT1", added); status != http.StatusOK {
				t.Errorf("event status %d", status)
			}
		}()
	}
	wg.Wait()
	if status, _ := h.event("Ev0REACT1", added); status != http.StatusOK {
		t.Fatalf("redelivery status %d", status)
	}
	if n := h.count(`SELECT count(*) FROM kudos WHERE source = 'reaction' AND revoked_at IS NULL`); n != 1 {
		t.Fatalf("live reaction kudos = %d, want 1", n)
	}
	h.await("channel post and DM", func() bool { return len(h.messagesIn(kudosCh)) == 1 && len(h.messagesIn(bob)) == 1 })
	h.await("giver's private confirmation", func() bool {
		for _, e := range h.slack.Ephemerals() {
			if e.User == alice && strings.Contains(e.Text, "4 of 5 kudos left") {
				return true
			}
		}
		return false
	})
	// A different event for the same reaction on the same message counts once too.
	h.event("Ev0REACT2", added)
	if n := h.count(`SELECT count(*) FROM kudos WHERE revoked_at IS NULL`); n != 1 {
		t.Fatalf("second event for the same reaction made %d live kudos", n)
	}

	removed := reaction("reaction_removed", alice, "raised_hands", generalC, "1700000000.000100", bob)
	if status, _ := h.event("Ev0UNREACT", removed); status != http.StatusOK {
		t.Fatalf("removal status %d", status)
	}
	if n := h.count(`SELECT count(*) FROM kudos WHERE revoked_at IS NOT NULL`); n != 1 {
		t.Fatalf("revoked kudos = %d, want 1", n)
	}
	if n := h.count(`SELECT used FROM kudos_allowance_usage WHERE giver_id = $1`, alice); n != 0 {
		t.Fatalf("allowance used after removal = %d, want 0", n)
	}
	h.await("channel post deleted", func() bool {
		for _, d := range h.slack.Deletions() {
			if d.Channel == kudosCh {
				return true
			}
		}
		return false
	})
}

func TestReactionsThatAreNotKudos(t *testing.T) {
	t.Parallel()
	h := setup(t)
	h.event("Ev1", reaction("reaction_added", alice, "thumbsup", generalC, "1.1", bob))         // another emoji
	h.event("Ev2", reaction("reaction_added", alice, "raised_hands", generalC, "1.2", alice))   // own message
	h.event("Ev3", reaction("reaction_added", alice, "raised_hands", generalC, "1.3", botUser)) // a bot's message
	h.event("Ev4", reaction("reaction_removed", alice, "raised_hands", generalC, "1.4", bob))   // nothing to take back
	if n := h.count(`SELECT count(*) FROM kudos`); n != 0 {
		t.Fatalf("kudos rows = %d, want 0", n)
	}
	h.await("private notices for self and bot", func() bool {
		var self, robot bool
		for _, e := range h.slack.Ephemerals() {
			self = self || (e.User == alice && strings.Contains(e.Text, "yourself"))
			robot = robot || (e.User == alice && strings.Contains(e.Text, "is a bot"))
		}
		return self && robot
	})
}

func TestReactionAfterAllowanceIsSpent(t *testing.T) {
	t.Parallel()
	h := setup(t)
	for range 5 {
		h.command(alice, "/kudos", "<@UCAROL> thanks")
	}
	h.event("EvLATE", reaction("reaction_added", alice, "raised_hands", generalC, "9.9", bob))
	if n := h.count(`SELECT count(*) FROM kudos WHERE source = 'reaction'`); n != 0 {
		t.Fatalf("reaction kudos beyond the allowance: %d", n)
	}
	h.await("allowance notice", func() bool {
		for _, e := range h.slack.Ephemerals() {
			if e.User == alice && strings.Contains(e.Text, "didn't count") && strings.Contains(e.Text, "all 5") {
				return true
			}
		}
		return false
	})
}

func TestAppHomeOpenedPublishesHome(t *testing.T) {
	t.Parallel()
	h := setup(t)
	h.command(bob, "/kudos", "<@UALICE> for the calm handover #care")
	event := map[string]any{"type": "app_home_opened", "user": alice, "channel": "DALICE", "tab": "home", "event_ts": "1.0"}
	for range 2 {
		if status, _ := h.event("EvHOME1", event); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
	}
	h.await("Alice's home", func() bool {
		v, ok := h.slack.Published(alice)
		return ok && strings.Contains(string(v.Blocks), "calm handover")
	})
	home, _ := h.slack.Published(alice)
	for _, want := range []string{"open_kudos_modal", "5 of 5 kudos left today", "received 1 kudos"} {
		if !strings.Contains(string(home.Blocks), want) {
			t.Errorf("home lacks %q: %s", want, home.Blocks)
		}
	}
}

func TestURLVerificationAndUnparseableEvents(t *testing.T) {
	t.Parallel()
	h := setup(t)
	status, body := h.postSigned("/slack/events", "application/json",
		[]byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`))
	if status != http.StatusOK || body != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("challenge: %d %q", status, body)
	}
	status, _ = h.postSigned("/slack/events", "application/json", []byte(`{"type":"event_callback","event":`))
	if status != http.StatusOK {
		t.Errorf("malformed event: %d, want 200 so Slack does not retry", status)
	}
}
