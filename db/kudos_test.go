package db_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/dbtest"
	"github.com/jmoiron/sqlx"
)

func give(t *testing.T, store *db.DB, nk db.NewKudos) (db.GiveResult, error) {
	t.Helper()
	var res db.GiveResult
	err := store.WithTx(context.Background(), func(tx *sqlx.Tx) error {
		var err error
		res, err = db.GiveKudos(context.Background(), tx, nk)
		return err
	})
	return res, err
}

func newKudos(key, giver string, recipients ...string) db.NewKudos {
	return db.NewKudos{
		IdempotencyKey: key, GiverID: giver, Recipients: recipients,
		Message: "for covering my shift", Source: db.SourceCommand,
		GiverLocation: time.UTC, Now: time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC),
	}
}

func refusal(err error) db.RefusalReason {
	var r *db.Refusal
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

func TestGiveKudosAllowanceSequential(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	for i := 1; i <= 5; i++ {
		res, err := give(t, store, newKudos(fmt.Sprint("k", i), "UGIVER", "UBOB"))
		if err != nil {
			t.Fatalf("kudos %d: %v", i, err)
		}
		if res.Remaining != 5-i {
			t.Errorf("kudos %d: remaining = %d, want %d", i, res.Remaining, 5-i)
		}
	}
	_, err := give(t, store, newKudos("k6", "UGIVER", "UBOB"))
	if refusal(err) != db.RefusedAllowanceSpent {
		t.Fatalf("6th kudos: err = %v, want allowance spent", err)
	}
	// The refused kudos left nothing behind.
	var n int
	if err := store.Get(&n, `SELECT count(*) FROM kudos`); err != nil || n != 5 {
		t.Fatalf("kudos rows = %d (%v), want 5", n, err)
	}
	// The next day in the giver's time zone has a fresh allowance.
	next := newKudos("k7", "UGIVER", "UBOB")
	next.Now = next.Now.Add(24 * time.Hour)
	if _, err := give(t, store, next); err != nil {
		t.Fatalf("next day: %v", err)
	}
}

func TestGiveKudosAllowanceUsesGiverTimeZone(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	denver, err := time.LoadLocation("America/Denver")
	if err != nil {
		t.Fatal(err)
	}
	// 23:30 in Denver on the 26th is 06:30 UTC on the 27th: both count to Denver's 26th.
	late := newKudos("late", "UGIVER", "UBOB")
	late.GiverLocation = denver
	late.Now = time.Date(2026, 11, 26, 23, 30, 0, 0, denver)
	res, err := give(t, store, late)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Kudos.GiverDay.Format("2006-01-02"); got != "2026-11-26" {
		t.Errorf("giver day = %s, want 2026-11-26", got)
	}
}

func TestGiveKudosAllowanceConcurrent(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	const attempts = 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, spent := 0, 0
	start := make(chan struct{})
	for i := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := give(t, store, newKudos(fmt.Sprint("c", i), "UGIVER", "UBOB"))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case refusal(err) == db.RefusedAllowanceSpent:
				spent++
			default:
				t.Errorf("give %d: %v", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if ok != 5 || spent != attempts-5 {
		t.Fatalf("recorded %d, refused %d; want 5 and %d", ok, spent, attempts-5)
	}
	var used int
	if err := store.Get(&used, `SELECT used FROM kudos_allowance_usage WHERE giver_id = 'UGIVER'`); err != nil || used != 5 {
		t.Fatalf("used = %d (%v), want 5", used, err)
	}
}

func TestGiveKudosIdempotent(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	first, err := give(t, store, newKudos("same", "UGIVER", "UBOB"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := give(t, store, newKudos("same", "UGIVER", "UBOB"))
	if err != nil {
		t.Fatal(err)
	}
	if !second.Duplicate || second.Kudos.ID != first.Kudos.ID || second.Remaining != 4 {
		t.Fatalf("second give = %+v, want the first kudos as a duplicate with 4 left", second)
	}
}

func TestGiveKudosRules(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	ctx := context.Background()
	if _, err := store.AddValue(ctx, "#Teamwork", "we help each other", "UADMIN"); err != nil {
		t.Fatal(err)
	}
	long := make([]byte, db.MaxKudosMessage+1)
	for i := range long {
		long[i] = 'a'
	}
	many := make([]string, db.MaxKudosRecipients+1)
	for i := range many {
		many[i] = fmt.Sprintf("U%02d", i)
	}
	cases := []struct {
		name   string
		edit   func(*db.NewKudos)
		reason db.RefusalReason
	}{
		{"self", func(k *db.NewKudos) { k.Recipients = []string{"UGIVER"} }, db.RefusedSelf},
		{"nobody", func(k *db.NewKudos) { k.Recipients = nil }, db.RefusedNoRecipients},
		{"too many", func(k *db.NewKudos) { k.Recipients = many }, db.RefusedTooManyPeople},
		{"empty message", func(k *db.NewKudos) { k.Message = "   " }, db.RefusedNoMessage},
		{"long message", func(k *db.NewKudos) { k.Message = string(long) }, db.RefusedTooLong},
		{"unknown value", func(k *db.NewKudos) { k.Value = "speed" }, db.RefusedUnknownValue},
		{"known value", func(k *db.NewKudos) { k.Value = "TeamWork" }, ""},
	}
	for i, c := range cases {
		nk := newKudos(fmt.Sprint("rule", i), "UGIVER", "UBOB")
		c.edit(&nk)
		_, err := give(t, store, nk)
		if got := refusal(err); got != c.reason || (c.reason == "" && err != nil) {
			t.Errorf("%s: err = %v, want reason %q", c.name, err, c.reason)
		}
	}
	if err := store.SetSetting(ctx, db.SettingRequireValue, "true"); err != nil {
		t.Fatal(err)
	}
	if _, err := give(t, store, newKudos("novalue", "UGIVER", "UBOB")); refusal(err) != db.RefusedValueRequired {
		t.Errorf("no value when required: err = %v", err)
	}
}

func TestRevokeReactionKudos(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	ctx := context.Background()
	nk := newKudos("react1", "UGIVER", "UBOB")
	nk.Source, nk.SourceChannel, nk.SourceTS = db.SourceReaction, "C1", "111.222"
	if _, err := give(t, store, nk); err != nil {
		t.Fatal(err)
	}
	// A second live reaction kudos on the same message is refused by the schema.
	dup := nk
	dup.IdempotencyKey = "react2"
	if _, err := give(t, store, dup); !errors.Is(err, db.ErrConflict) {
		t.Fatalf("second reaction kudos: err = %v, want ErrConflict", err)
	}
	var revoked db.Kudos
	err := store.WithTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		revoked, err = db.RevokeReactionKudos(ctx, tx, "UGIVER", "C1", "111.222", nk.Now.Add(time.Hour), time.UTC)
		return err
	})
	if err != nil || !revoked.RevokedAt.Valid {
		t.Fatalf("revoke: %v %+v", err, revoked)
	}
	left, err := store.AllowanceLeft(ctx, "UGIVER", nk.Now, time.UTC)
	if err != nil || left != 5 {
		t.Fatalf("allowance after revoke = %d (%v), want 5", left, err)
	}
	// The next day, removing a reaction takes nothing back.
	nk.IdempotencyKey = "react3"
	if _, err := give(t, store, nk); err != nil {
		t.Fatal(err)
	}
	err = store.WithTx(ctx, func(tx *sqlx.Tx) error {
		_, err := db.RevokeReactionKudos(ctx, tx, "UGIVER", "C1", "111.222", nk.Now.Add(24*time.Hour), time.UTC)
		return err
	})
	if !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("revoke next day: err = %v, want ErrNotFound", err)
	}
}
