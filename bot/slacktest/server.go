// Package slacktest is a fake Slack Web API (plus Socket Mode) served over
// net/http/httptest, for Hearth's tests and the simulated workspace of `hearth demo`.
//
// Real slack-go clients work against it:
//
//	srv := slacktest.New(t)
//	api := slack.New(srv.BotToken(), slack.OptionAPIURL(srv.APIURL()))
//
// The fake behaves like Slack where Hearth depends on it: tokens are checked
// (Authorization header or the "token" form field, as Slack accepts), form and
// JSON bodies are both accepted, errors are HTTP 200 {"ok":false,"error":…},
// rate limits are HTTP 429 with Retry-After, and posting to a user ID lands in
// that user's DM channel. Where Slack's behaviour is uncertain the fake leans
// strict, so code that passes here does not depend on leniency.
//
// Every exported method is safe for concurrent use. Tests wait for effects
// with [Server.Await], which re-checks its condition whenever the server's
// state changes; nothing in this package sleeps to wait.
package slacktest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Defaults used when no Option overrides them.
const (
	DefaultBotToken  = "xoxb-test"
	DefaultAppToken  = "xapp-test"
	DefaultBotUserID = "UBOT"
	DefaultTeamID    = "T0001"
	// DefaultBotID is the bot id (B…) of the app's bot user.
	DefaultBotID = "B0001"
	// DefaultAppID is the app id (A…) reported in payloads and views.
	DefaultAppID = "A0001"
	// SlackbotID is the id of Slackbot, which Slack lists in users.list with
	// is_bot false.
	SlackbotID = "USLACKBOT"
)

// Option configures a Server created by New.
type Option func(*config)

type config struct {
	botToken     string
	appToken     string
	botUserID    string
	botName      string
	teamID       string
	pingInterval time.Duration
	triggerTTL   time.Duration
	noSlackbot   bool
}

// WithBotToken sets the bot token (xoxb-…) the server accepts for Web API
// methods. Default "xoxb-test".
func WithBotToken(token string) Option { return func(c *config) { c.botToken = token } }

// WithAppToken sets the app-level token (xapp-…) the server accepts for
// apps.connections.open. Default "xapp-test".
func WithAppToken(token string) Option { return func(c *config) { c.appToken = token } }

// WithBotUserID sets the bot's user id returned by auth.test. Default "UBOT".
func WithBotUserID(id string) Option { return func(c *config) { c.botUserID = id } }

// WithTeamID sets the workspace id. Default "T0001".
func WithTeamID(id string) Option { return func(c *config) { c.teamID = id } }

// WithSocketPingInterval sets how often the server sends WebSocket pings to
// Socket Mode clients (slack-go reconnects when it sees none for 30s).
// Default 5s.
func WithSocketPingInterval(d time.Duration) Option {
	return func(c *config) { c.pingInterval = d }
}

// WithTriggerTTL sets how long trigger ids from NewTriggerID stay usable.
// Default TriggerTTL (3s, as on Slack).
func WithTriggerTTL(d time.Duration) Option { return func(c *config) { c.triggerTTL = d } }

// WithoutSlackbot leaves USLACKBOT out of the workspace. By default it is
// present, as in every real workspace (users.list returns it, is_bot false).
func WithoutSlackbot() Option { return func(c *config) { c.noSlackbot = true } }

// Server is a fake Slack workspace and Web API. Create it with New.
type Server struct {
	cfg  config
	http *httptest.Server

	mu sync.Mutex
	// changed is closed (and replaced) whenever state changes; see Await.
	changed chan struct{}
	closed  bool
	done    chan struct{} // closed by Close
	seq     int           // id counter
	lastTS  int64         // last message ts, in microseconds

	users     map[string]*User
	userOrder []string
	channels  map[string]*channelState
	chanOrder []string
	dms       map[string]string // user id -> D… channel id

	log        []Message                   // posted messages, as posted
	history    map[string][]*storedMessage // channel -> messages, oldest first
	ephemerals []Ephemeral
	updates    []Update
	deletes    []Deletion
	reactions  []Reaction
	respPosts  []ResponsePost
	respURLs   map[string]int // response_url token -> posts made
	triggers   map[string]time.Time

	views         map[string]*viewState
	externalViews map[string]string // external_id -> view id
	homeViews     map[string]string // user id -> home view id
	opened        []View
	pushed        []View
	viewUpdates   []View
	published     []View

	files       map[string]*fileState
	fileOrder   []string
	shareDelay  time.Duration
	shareTimers []*time.Timer

	faults faults

	sock socketState
}

// New starts a fake Slack server; it is closed when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := Start(opts...)
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake Slack server outside a test (hearth demo uses it as
// its simulated workspace); the caller must Close it.
func Start(opts ...Option) *Server {
	cfg := config{
		botToken:     DefaultBotToken,
		appToken:     DefaultAppToken,
		botUserID:    DefaultBotUserID,
		botName:      "hearth",
		teamID:       DefaultTeamID,
		pingInterval: 5 * time.Second,
		triggerTTL:   TriggerTTL,
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		cfg:           cfg,
		changed:       make(chan struct{}),
		done:          make(chan struct{}),
		users:         map[string]*User{},
		channels:      map[string]*channelState{},
		dms:           map[string]string{},
		history:       map[string][]*storedMessage{},
		respURLs:      map[string]int{},
		triggers:      map[string]time.Time{},
		views:         map[string]*viewState{},
		externalViews: map[string]string{},
		homeViews:     map[string]string{},
		files:         map[string]*fileState{},
	}
	s.faults.init()
	s.sock.init()
	s.AddUser(User{ID: cfg.botUserID, Name: cfg.botName, RealName: "Hearth", IsBot: true})
	if !cfg.noSlackbot {
		s.AddUser(User{ID: SlackbotID, Name: "slackbot", RealName: "Slackbot", TZ: "America/Los_Angeles"})
	}
	s.http = httptest.NewServer(s)
	return s
}

// URL returns the server's base URL, e.g. "http://127.0.0.1:1234".
func (s *Server) URL() string { return s.http.URL }

// APIURL returns the Web API base URL ending in "/api/", for
// slack.OptionAPIURL.
func (s *Server) APIURL() string { return s.http.URL + "/api/" }

// BotToken returns the bot token the server accepts.
func (s *Server) BotToken() string { return s.cfg.botToken }

// AppToken returns the app-level token the server accepts for Socket Mode.
func (s *Server) AppToken() string { return s.cfg.appToken }

// BotUserID returns the bot's user id (auth.test user_id).
func (s *Server) BotUserID() string { return s.cfg.botUserID }

// TeamID returns the workspace id.
func (s *Server) TeamID() string { return s.cfg.teamID }

// Close stops the server, its Socket Mode connections and pending timers.
// New registers it with t.Cleanup; calling it again is harmless.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	for _, tm := range s.shareTimers {
		tm.Stop()
	}
	s.bumpLocked()
	s.mu.Unlock()
	s.closeSockets()
	s.http.Close()
}

// bumpLocked wakes everyone waiting for a state change. Callers hold s.mu.
func (s *Server) bumpLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) bump() {
	s.mu.Lock()
	s.bumpLocked()
	s.mu.Unlock()
}

// watch returns a channel closed at the next state change.
func (s *Server) watch() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// nextIDLocked returns a new id with the given prefix, e.g. "V00000007".
func (s *Server) nextIDLocked(prefix string) string {
	s.seq++
	return prefix + strconv.FormatInt(int64(10000000+s.seq), 10)[1:]
}

// nextTSLocked returns a message timestamp ("1700000000.000123") strictly
// greater than every earlier one.
func (s *Server) nextTSLocked() string {
	now := time.Now().UnixMicro()
	if now <= s.lastTS {
		now = s.lastTS + 1
	}
	s.lastTS = now
	return formatTS(now)
}

func formatTS(micros int64) string {
	frac := strconv.FormatInt(1000000+micros%1000000, 10)[1:]
	return strconv.FormatInt(micros/1000000, 10) + "." + frac
}

// parseTS converts "1700000000.000123" to microseconds; ok is false when s is
// not a timestamp.
func parseTS(s string) (int64, bool) {
	sec, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return 0, false
	}
	for len(frac) < 6 {
		frac += "0"
	}
	f, err := strconv.ParseInt(frac[:6], 10, 64)
	if err != nil {
		return 0, false
	}
	return n*1000000 + f, true
}

// ServeHTTP routes Web API calls (/api/<method>), file uploads and downloads,
// response_url posts and the Socket Mode WebSocket.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/"):
		s.serveAPI(w, r, strings.TrimPrefix(r.URL.Path, "/api/"))
	case strings.HasPrefix(r.URL.Path, "/upload/"):
		s.serveUpload(w, r, strings.TrimPrefix(r.URL.Path, "/upload/"))
	case strings.HasPrefix(r.URL.Path, "/files/"):
		s.serveDownload(w, r, strings.TrimPrefix(r.URL.Path, "/files/"))
	case strings.HasPrefix(r.URL.Path, "/response/"):
		s.serveResponseURL(w, r, strings.TrimPrefix(r.URL.Path, "/response/"))
	case r.URL.Path == "/socket":
		s.serveSocket(w, r)
	default:
		http.NotFound(w, r)
	}
}

// handler implements one Web API method. It writes the response itself.
type handler func(s *Server, w http.ResponseWriter, req *request)

// tokenKind says which token a method takes.
type tokenKind int

const (
	botToken tokenKind = iota
	appToken
)

type method struct {
	h     handler
	token tokenKind
}

var methods = map[string]method{
	"auth.test":                    {h: (*Server).authTest},
	"users.info":                   {h: (*Server).usersInfo},
	"users.list":                   {h: (*Server).usersList},
	"conversations.info":           {h: (*Server).conversationsInfo},
	"conversations.members":        {h: (*Server).conversationsMembers},
	"conversations.open":           {h: (*Server).conversationsOpen},
	"conversations.history":        {h: (*Server).conversationsHistory},
	"conversations.replies":        {h: (*Server).conversationsReplies},
	"chat.postMessage":             {h: (*Server).chatPostMessage},
	"chat.postEphemeral":           {h: (*Server).chatPostEphemeral},
	"chat.update":                  {h: (*Server).chatUpdate},
	"chat.delete":                  {h: (*Server).chatDelete},
	"reactions.add":                {h: (*Server).reactionsAdd},
	"views.open":                   {h: (*Server).viewsOpen},
	"views.update":                 {h: (*Server).viewsUpdate},
	"views.push":                   {h: (*Server).viewsPush},
	"views.publish":                {h: (*Server).viewsPublish},
	"files.getUploadURLExternal":   {h: (*Server).filesGetUploadURLExternal},
	"files.completeUploadExternal": {h: (*Server).filesCompleteUploadExternal},
	"files.info":                   {h: (*Server).filesInfo},
	"apps.connections.open":        {h: (*Server).appsConnectionsOpen, token: appToken},
}

// serveAPI runs the pipeline every Web API call goes through: count, delay,
// injected faults, method lookup, auth, rate limit, then the method itself.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, name string) {
	s.countCall(name)
	// Read the body first: only then does net/http notice a client that
	// gives up during the delay below.
	req, reqErr := parseRequest(r)
	if d := s.latency(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.done:
			t.Stop()
			return
		}
	}
	if f, ok := s.takeFailure(name); ok {
		writeFailure(w, f)
		return
	}
	m, ok := methods[name]
	if !ok {
		writeError(w, "unknown_method")
		return
	}
	if reqErr != nil {
		writeError(w, reqErr.Error())
		return
	}
	if code := s.checkToken(req, m.token); code != "" {
		writeError(w, code)
		return
	}
	if wait, limited := s.takeMethodToken(name); limited {
		s.countRejected(name)
		writeRateLimited(w, wait)
		return
	}
	req.method = name
	m.h(s, w, req)
}

// checkToken returns an error code, or "" when the token fits the method.
func (s *Server) checkToken(req *request, kind tokenKind) string {
	switch req.token {
	case "":
		return "not_authed"
	case s.cfg.botToken:
		if kind == botToken {
			return ""
		}
		return "not_allowed_token_type"
	case s.cfg.appToken:
		if kind == appToken {
			return ""
		}
		return "not_allowed_token_type"
	default:
		return "invalid_auth"
	}
}
