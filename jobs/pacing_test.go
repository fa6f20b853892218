package jobs

import (
	"testing"
	"time"
)

func TestPostPaceSlowsOnRefusalAndEasesBack(t *testing.T) {
	t.Parallel()
	p := newPostPace(20 * time.Millisecond)
	p.refused(time.Second)
	if got := p.interval(); got != 25*time.Millisecond {
		t.Fatalf("after a 429: %v, want 25ms", got)
	}
	if held := p.held(); held <= 900*time.Millisecond || held > time.Second {
		t.Fatalf("held for %v after Retry-After 1s", held)
	}
	for range 100 {
		p.refused(0)
	}
	if got := p.interval(); got != maxSlowdown*20*time.Millisecond {
		t.Fatalf("after many 429s: %v, want the cap %v", got, maxSlowdown*20*time.Millisecond)
	}
	for range 20 * easeBack {
		p.posted()
	}
	if got := p.interval(); got > 21*time.Millisecond || got < 20*time.Millisecond {
		t.Fatalf("after many posts: %v, want back near 20ms", got)
	}
}

func TestSnoozeForSpreadsAndHasAFloor(t *testing.T) {
	t.Parallel()
	for range 100 {
		if d := snoozeFor(0); d < time.Second || d >= 1250*time.Millisecond {
			t.Fatalf("snoozeFor(0) = %v", d)
		}
		if d := snoozeFor(8 * time.Second); d < 8*time.Second || d >= 10*time.Second {
			t.Fatalf("snoozeFor(8s) = %v", d)
		}
	}
}
