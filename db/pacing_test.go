package db_test

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/dbtest"
)

func TestReservePostSlotWithinSpacesSlotsAndWastesNone(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	const interval = time.Second
	const horizon = 3 * time.Second

	// Slots now, +1s, +2s, +3s fit within the horizon; +4s does not.
	for i := range 4 {
		at, ok, err := store.ReservePostSlotWithin(ctx, "p", interval, now, horizon)
		if err != nil || !ok || !at.Equal(now.Add(time.Duration(i)*interval)) {
			t.Fatalf("slot %d: %v reserved=%v err=%v", i, at, ok, err)
		}
	}
	for range 3 { // refusals reserve nothing
		at, ok, err := store.ReservePostSlotWithin(ctx, "p", interval, now, horizon)
		if err != nil || ok || !at.Equal(now.Add(4*interval)) {
			t.Fatalf("beyond the horizon: %v reserved=%v err=%v, want the pace free at +4s", at, ok, err)
		}
	}
	// A second later the +4s slot is within reach, and it is the next one.
	at, ok, err := store.ReservePostSlotWithin(ctx, "p", interval, now.Add(interval), horizon)
	if err != nil || !ok || !at.Equal(now.Add(4*interval)) {
		t.Fatalf("next slot: %v reserved=%v err=%v", at, ok, err)
	}
	// An idle pace starts from now, not from the past.
	later := now.Add(time.Hour)
	if at, ok, _ := store.ReservePostSlotWithin(ctx, "p", interval, later, horizon); !ok || !at.Equal(later) {
		t.Fatalf("idle pace: %v reserved=%v", at, ok)
	}
	// Paces are independent.
	if at, ok, _ := store.ReservePostSlotWithin(ctx, "other", interval, now, horizon); !ok || !at.Equal(now) {
		t.Fatalf("other pace: %v reserved=%v", at, ok)
	}
}

func TestHoldPostsPushesEveryoneBack(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	if err := store.HoldPosts(ctx, "p", now.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	at, ok, err := store.ReservePostSlotWithin(ctx, "p", time.Second, now, 5*time.Second)
	if err != nil || ok || !at.Equal(now.Add(30*time.Second)) {
		t.Fatalf("during a hold: %v reserved=%v err=%v", at, ok, err)
	}
	if free, err := store.PaceFreeAt(ctx, "p"); err != nil || !free.Equal(now.Add(30*time.Second)) {
		t.Fatalf("held pace free at %v (err %v), want +30s", free, err)
	}
	if free, err := store.PaceFreeAt(ctx, "never used"); err != nil || !free.IsZero() {
		t.Fatalf("unused pace free at %v (err %v), want the zero time", free, err)
	}
	// A shorter hold never shortens a longer one.
	if err := store.HoldPosts(ctx, "p", now.Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	at, _, _ = store.ReservePostSlotWithin(ctx, "p", time.Second, now.Add(40*time.Second), 0)
	if !at.Equal(now.Add(40 * time.Second)) {
		t.Fatalf("after the hold: %v", at)
	}
}

func TestReservePostSlotWithinConcurrentSlotsAreDistinct(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	const n = 40
	var mu sync.Mutex
	var slots []time.Time
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			at, ok, err := store.ReservePostSlotWithin(context.Background(), "p", 10*time.Millisecond, now, time.Hour)
			if err != nil || !ok {
				t.Errorf("reserve: ok=%v err=%v", ok, err)
				return
			}
			mu.Lock()
			slots = append(slots, at)
			mu.Unlock()
		})
	}
	wg.Wait()
	sort.Slice(slots, func(i, j int) bool { return slots[i].Before(slots[j]) })
	for i, at := range slots {
		if want := now.Add(time.Duration(i) * 10 * time.Millisecond); !at.Equal(want) {
			t.Fatalf("slot %d = %v, want %v", i, at, want)
		}
	}
}

func TestClearDMAttemptedOnlyWhileUnrecorded(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	ctx := context.Background()
	team := addTeam(t, store, "CPACE")
	round, _ := openRound(t, store, team, time.Now(), "UANN", "UBEN")

	for _, kind := range []db.DMKind{db.DMPulse, db.DMReminder} {
		if _, err := store.MarkDMAttempted(ctx, round.ID, "UANN", kind); err != nil {
			t.Fatal(err)
		}
		if err := store.ClearDMAttempted(ctx, round.ID, "UANN", kind); err != nil {
			t.Fatal(err)
		}
		old, err := store.MarkDMAttempted(ctx, round.ID, "UANN", kind)
		if err != nil {
			t.Fatal(err)
		}
		if (kind == db.DMPulse && old.DMAttempted) || (kind == db.DMReminder && old.RemindAttempted) {
			t.Errorf("%s: mark not undone: %+v", kind, old)
		}
	}
	// Once recorded, the mark stays: the DM is out.
	if err := store.RecordDM(ctx, round.ID, "UANN", db.DMPulse, "DANN", "1.0001"); err != nil {
		t.Fatal(err)
	}
	if err := store.ClearDMAttempted(ctx, round.ID, "UANN", db.DMPulse); err != nil {
		t.Fatal(err)
	}
	rec, err := store.Recipient(ctx, round.ID, "UANN")
	if err != nil {
		t.Fatal(err)
	}
	if !rec.DMAttempted || rec.DMTS != "1.0001" || rec.Delivery != db.DeliverySent {
		t.Errorf("recorded DM changed: %+v", rec)
	}
	// A reminder is recorded beside the DM, which it leaves alone.
	if err := store.RecordDM(ctx, round.ID, "UANN", db.DMReminder, "DANN", "2.0002"); err != nil {
		t.Fatal(err)
	}
	if rec, err = store.Recipient(ctx, round.ID, "UANN"); err != nil {
		t.Fatal(err)
	}
	if rec.RemindTS != "2.0002" || rec.DMTS != "1.0001" || rec.DMChannelID != "DANN" {
		t.Errorf("after the reminder: %+v", rec)
	}
}
