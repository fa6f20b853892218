package slacktest

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// AnyMethod, passed to FailNext, makes the failure apply to whichever method
// is called next.
const AnyMethod = "*"

// Failure describes an injected failure (see FailNext).
type Failure struct {
	// Status is the HTTP status to answer with (e.g. 429, 500, 503). 0 means
	// 200 with an ok:false body carrying Error.
	Status int
	// RetryAfter is the Retry-After header, in seconds, sent with a 429.
	// 0 means 1; a negative value sends no header (slack-go then reports a
	// plain StatusCodeError instead of *slack.RateLimitedError).
	RetryAfter int
	// Error is the ok:false error code when Status is 0 (default
	// "internal_error"). With a 429 it is the body's error (default
	// "ratelimited").
	Error string
}

type faults struct {
	next          map[string][]Failure
	limits        map[string]*bucket
	channelRate   float64
	channelBurst  float64
	channelLimits map[string]*bucket
	latency       time.Duration
	calls         map[string]int
	rejected      map[string]int
}

func (f *faults) init() {
	f.next = map[string][]Failure{}
	f.limits = map[string]*bucket{}
	f.channelLimits = map[string]*bucket{}
	f.calls = map[string]int{}
	f.rejected = map[string]int{}
}

// FailNext makes the next n calls of method (or of any method, with
// AnyMethod) fail with f. The failed calls have no effect on the workspace.
// Successive FailNext calls queue up in order; failures queued for a named
// method are used before AnyMethod ones.
func (s *Server) FailNext(method string, n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults.next[method] = append(s.faults.next[method], f)
	}
}

// SetRateLimit limits method to perSecond calls per second across the
// workspace (a token bucket holding one call, so calls closer together than
// 1/perSecond are refused). Refused calls get HTTP 429 with Retry-After (the
// seconds until a call would pass, at least 1) and have no effect.
// perSecond <= 0 removes the limit.
func (s *Server) SetRateLimit(method string, perSecond float64) {
	s.SetRateLimitBurst(method, perSecond, 1)
}

// SetRateLimitBurst is SetRateLimit with a bucket of burst calls, which
// allows short bursts as Slack does.
func (s *Server) SetRateLimitBurst(method string, perSecond float64, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if perSecond <= 0 {
		delete(s.faults.limits, method)
		return
	}
	s.faults.limits[method] = newBucket(perSecond, burst)
}

// SetChannelRateLimit simulates chat.postMessage's per-channel limit (about
// one message per second per channel): each channel (DMs resolved to their
// D… id) gets its own token bucket holding one message, refilled at
// perSecond. Over the limit the post gets HTTP 429 with Retry-After and is
// not recorded. perSecond <= 0 removes the limit.
func (s *Server) SetChannelRateLimit(perSecond float64) {
	s.SetChannelRateLimitBurst(perSecond, 1)
}

// SetChannelRateLimitBurst is SetChannelRateLimit with buckets of burst
// messages, for Slack's tolerated short bursts.
func (s *Server) SetChannelRateLimitBurst(perSecond float64, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.channelRate = perSecond
	s.faults.channelBurst = float64(max(burst, 1))
	s.faults.channelLimits = map[string]*bucket{}
}

// SetLatency delays every Web API response by d (0 removes the delay).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.latency = d
}

// Calls reports how many times method was called, including calls that were
// refused (bad token, injected failure, rate limit) or returned ok:false.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.calls[method]
}

// Rejected reports how many calls of method were refused by an injected
// failure (FailNext) or a rate limit (HTTP 429).
func (s *Server) Rejected(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.rejected[method]
}

func (s *Server) countCall(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.calls[method]++
	s.bumpLocked()
}

func (s *Server) countRejected(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.rejected[method]++
	s.bumpLocked()
}

func (s *Server) latency() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.latency
}

// takeFailure pops the next injected failure for method and counts it.
func (s *Server) takeFailure(method string) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, key := range []string{method, AnyMethod} {
		if q := s.faults.next[key]; len(q) > 0 {
			s.faults.next[key] = q[1:]
			s.faults.rejected[method]++
			s.bumpLocked()
			return q[0], true
		}
	}
	return Failure{}, false
}

// takeMethodToken applies the workspace-wide limit of method.
func (s *Server) takeMethodToken(method string) (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.faults.limits[method]
	if b == nil {
		return 0, false
	}
	return b.take(time.Now())
}

// takeChannelTokenLocked applies the per-channel chat.postMessage limit.
func (s *Server) takeChannelTokenLocked(channel string) (time.Duration, bool) {
	if s.faults.channelRate <= 0 {
		return 0, false
	}
	b := s.faults.channelLimits[channel]
	if b == nil {
		b = newBucket(s.faults.channelRate, int(s.faults.channelBurst))
		s.faults.channelLimits[channel] = b
	}
	return b.take(time.Now())
}

// bucket is a token bucket.
type bucket struct {
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(perSecond float64, burst int) *bucket {
	b := float64(max(burst, 1))
	return &bucket{rate: perSecond, burst: b, tokens: b, last: time.Now()}
}

// take spends a token; when none is left it reports limited and how long
// until one is.
func (b *bucket) take(now time.Time) (wait time.Duration, limited bool) {
	b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0, false
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second)), true
}

// retryAfterSeconds rounds a wait up to whole seconds, at least 1, as Slack's
// Retry-After does.
func retryAfterSeconds(wait time.Duration) int {
	return max(1, int(math.Ceil(wait.Seconds())))
}

func writeRateLimited(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
	writeJSONStatus(w, http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
}

func writeFailure(w http.ResponseWriter, f Failure) {
	switch {
	case f.Status == 0 || f.Status == http.StatusOK:
		code := f.Error
		if code == "" {
			code = "internal_error"
		}
		writeError(w, code)
	case f.Status == http.StatusTooManyRequests:
		if f.RetryAfter >= 0 {
			w.Header().Set("Retry-After", strconv.Itoa(max(f.RetryAfter, 1)))
		}
		code := f.Error
		if code == "" {
			code = "ratelimited"
		}
		writeJSONStatus(w, http.StatusTooManyRequests, map[string]any{"ok": false, "error": code})
	default:
		// Slack answers 5xx with an HTML page.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte("<html><body>" + http.StatusText(f.Status) + "</body></html>\n"))
	}
}
