package slacktest

import (
	"testing"
	"time"
)

// Await waits until cond returns true, re-checking it each time the server's
// state changes (a call arrives, a message is stored, an ack comes in, a
// client connects…). It fails t with desc if cond is still false after
// timeout. cond must not block; it may call the Server's accessors. Because
// re-checks are driven by server state changes, cond should depend on that
// state (for other state, wait on its own signal). Call it from the test
// goroutine.
func (s *Server) Await(t testing.TB, timeout time.Duration, desc string, cond func() bool) {
	t.Helper()
	if !s.wait(timeout, cond) {
		t.Fatalf("slacktest: timed out after %v waiting for %s", timeout, desc)
	}
}

// wait is Await without a testing.TB: it reports whether cond became true.
func (s *Server) wait(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		ch := s.watch()
		if cond() {
			return true
		}
		select {
		case <-ch:
		case <-deadline.C:
			return cond()
		}
	}
}
