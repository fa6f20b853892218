package slacktest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Socket Mode envelope types.
const (
	EnvelopeEventsAPI     = "events_api"
	EnvelopeSlashCommands = "slash_commands"
	EnvelopeInteractive   = "interactive"
)

// maxAckBytes is Slack's limit on a Socket Mode ack: larger ones are dropped.
const maxAckBytes = 20 * 1024

// ErrServerClosed is returned by SendEvent when the server closes while it
// waits for a client.
var ErrServerClosed = errors.New("slacktest: server closed")

type socketState struct {
	conns     []*sockConn // live connections, oldest first
	tickets   map[string]bool
	acks      map[string]json.RawMessage
	acked     map[string]bool
	envelopes []Envelope
	dropped   int
	connects  int
	wg        sync.WaitGroup
}

func (st *socketState) init() {
	st.tickets = map[string]bool{}
	st.acks = map[string]json.RawMessage{}
	st.acked = map[string]bool{}
}

type sockConn struct {
	ws       *websocket.Conn
	wmu      sync.Mutex
	draining bool // sent a disconnect; no longer gets envelopes
	done     chan struct{}
}

func (c *sockConn) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(v)
}

// Envelope is a Socket Mode envelope to deliver (see SendEnvelope), or one
// that was delivered (see Envelopes).
type Envelope struct {
	// EnvelopeID is set by the server.
	EnvelopeID string
	// Type is EnvelopeEventsAPI, EnvelopeSlashCommands or EnvelopeInteractive.
	Type string
	// Payload is sent as the envelope's payload: json.RawMessage and []byte
	// as they are, anything else marshalled to JSON.
	Payload any
	// RetryAttempt and RetryReason mark a redelivery (events_api), e.g. 1 and
	// "timeout".
	RetryAttempt int
	RetryReason  string
}

func newEnvelopeID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (s *Server) appsConnectionsOpen(w http.ResponseWriter, _ *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ticket := newEnvelopeID()
	s.sock.tickets[ticket] = true
	u := "ws" + strings.TrimPrefix(s.http.URL, "http") + "/socket?ticket=" + ticket + "&app_id=" + DefaultAppID
	writeOK(w, map[string]any{"url": u})
}

var upgrader = websocket.Upgrader{
	// slack-go sends Origin https://api.slack.com.
	CheckOrigin: func(*http.Request) bool { return true },
}

// serveSocket accepts a Socket Mode connection opened with a URL from
// apps.connections.open (each URL works once), greets it with "hello", pings
// it and records the acks it sends.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	ok := s.sock.tickets[ticket] && !s.closed
	delete(s.sock.tickets, ticket)
	if ok {
		s.sock.wg.Add(1)
	}
	s.mu.Unlock()
	if !ok {
		http.Error(w, "invalid or used socket URL", http.StatusUnauthorized)
		return
	}
	defer s.sock.wg.Done()
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &sockConn{ws: ws, done: make(chan struct{})}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	s.sock.conns = append(s.sock.conns, c)
	s.sock.connects++
	n := len(s.sock.conns)
	// Greet before anyone can see the connection, so hello comes first.
	c.wmu.Lock()
	s.mu.Unlock()
	_ = ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	err = ws.WriteJSON(map[string]any{
		"type":            "hello",
		"num_connections": n,
		"debug_info": map[string]any{
			"host":                        "applink-slacktest",
			"build_number":                1,
			"approximate_connection_time": 18060,
		},
		"connection_info": map[string]any{"app_id": DefaultAppID},
	})
	c.wmu.Unlock()
	s.bump()

	s.sock.wg.Add(1)
	go func() {
		defer s.sock.wg.Done()
		s.pingLoop(c)
	}()
	if err == nil {
		s.readLoop(c)
	}

	close(c.done)
	_ = ws.Close()
	s.mu.Lock()
	s.sock.conns = slices.DeleteFunc(s.sock.conns, func(x *sockConn) bool { return x == c })
	s.bumpLocked()
	s.mu.Unlock()
}

func (s *Server) pingLoop(c *sockConn) {
	every := s.cfg.pingInterval
	if every <= 0 {
		every = 5 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			_ = c.ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(5*time.Second))
		}
	}
}

// readLoop records acks until the connection fails.
func (s *Server) readLoop(c *sockConn) {
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		if len(data) >= maxAckBytes {
			s.mu.Lock()
			s.sock.dropped++
			s.bumpLocked()
			s.mu.Unlock()
			continue
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &ack) != nil || ack.EnvelopeID == "" {
			continue
		}
		if string(ack.Payload) == "null" {
			ack.Payload = nil
		}
		s.mu.Lock()
		if !s.sock.acked[ack.EnvelopeID] {
			s.sock.acked[ack.EnvelopeID] = true
			s.sock.acks[ack.EnvelopeID] = ack.Payload
		}
		s.bumpLocked()
		s.mu.Unlock()
	}
}

// SendEvent delivers a Socket Mode envelope of envelopeType
// (EnvelopeEventsAPI, EnvelopeSlashCommands, EnvelopeInteractive) carrying
// payload to the most recently connected client, and returns its envelope
// id. For events_api, wrap the inner event with EventCallback. If no client
// is connected it waits for one until ctx is done.
func (s *Server) SendEvent(ctx context.Context, envelopeType string, payload any) (string, error) {
	return s.SendEnvelope(ctx, Envelope{Type: envelopeType, Payload: payload})
}

// SendEnvelope is SendEvent with control over the envelope (e.g. to simulate
// a redelivery with RetryAttempt). Its EnvelopeID is ignored; a new one is
// returned.
func (s *Server) SendEnvelope(ctx context.Context, e Envelope) (string, error) {
	var payload json.RawMessage
	switch p := e.Payload.(type) {
	case json.RawMessage:
		payload = p
	case []byte:
		payload = p
	default:
		b, err := json.Marshal(p)
		if err != nil {
			return "", fmt.Errorf("slacktest: marshalling payload: %w", err)
		}
		payload = b
	}
	if !json.Valid(payload) {
		return "", errors.New("slacktest: payload is not valid JSON")
	}
	e.EnvelopeID = newEnvelopeID()
	msg := map[string]any{
		"envelope_id":              e.EnvelopeID,
		"type":                     e.Type,
		"payload":                  payload,
		"accepts_response_payload": e.Type != EnvelopeEventsAPI,
	}
	if e.Type == EnvelopeEventsAPI {
		msg["retry_attempt"] = e.RetryAttempt
		msg["retry_reason"] = e.RetryReason
	}
	for {
		ch := s.watch()
		s.mu.Lock()
		closed := s.closed
		c := s.liveConnLocked()
		s.mu.Unlock()
		if closed {
			return "", ErrServerClosed
		}
		if c != nil {
			if err := c.write(msg); err != nil {
				return "", fmt.Errorf("slacktest: writing envelope: %w", err)
			}
			s.mu.Lock()
			e.Payload = payload
			s.sock.envelopes = append(s.sock.envelopes, e)
			s.bumpLocked()
			s.mu.Unlock()
			return e.EnvelopeID, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// liveConnLocked returns the newest connection not asked to disconnect.
func (s *Server) liveConnLocked() *sockConn {
	for i := len(s.sock.conns) - 1; i >= 0; i-- {
		if c := s.sock.conns[i]; !c.draining {
			return c
		}
	}
	return nil
}

// EventCallback wraps an Events API event (e.g. a reaction_added object) in
// the event_callback payload Slack delivers, with a fresh event_id. Pass the
// result to SendEvent with EnvelopeEventsAPI; change fields (event_id, for a
// redelivery) as needed.
func (s *Server) EventCallback(event any) map[string]any {
	s.mu.Lock()
	id := s.nextIDLocked("Ev")
	s.mu.Unlock()
	now := time.Now().Unix()
	return map[string]any{
		"token":      "verification-token",
		"team_id":    s.cfg.teamID,
		"api_app_id": DefaultAppID,
		"event":      event,
		"type":       "event_callback",
		"event_id":   id,
		"event_time": now,
		"authorizations": []map[string]any{{
			"enterprise_id":         nil,
			"team_id":               s.cfg.teamID,
			"user_id":               s.cfg.botUserID,
			"is_bot":                true,
			"is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
		"event_context":         "4-" + id,
	}
}

// Acked returns the payload of the ack for envelopeID (nil if the ack had
// none) and whether it was acked.
func (s *Server) Acked(envelopeID string) (json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sock.acks[envelopeID]), s.sock.acked[envelopeID]
}

// WaitAck waits for the client to ack envelopeID and returns the ack's
// payload (nil if it had none). It fails t on timeout. Acks of 20 KB or more
// are dropped, as Slack drops them.
func (s *Server) WaitAck(t testing.TB, envelopeID string, timeout time.Duration) json.RawMessage {
	t.Helper()
	s.Await(t, timeout, "ack of envelope "+envelopeID, func() bool {
		_, ok := s.Acked(envelopeID)
		return ok
	})
	p, _ := s.Acked(envelopeID)
	return p
}

// Envelopes returns the envelopes delivered, in order (Payload as JSON).
func (s *Server) Envelopes() []Envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sock.envelopes)
}

// DroppedAcks counts acks dropped for being 20 KB or larger.
func (s *Server) DroppedAcks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sock.dropped
}

// Connected reports whether a Socket Mode client is connected (and has not
// been asked to disconnect).
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.liveConnLocked() != nil
}

// Connects counts the Socket Mode connections accepted so far, including
// reconnections.
func (s *Server) Connects() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sock.connects
}

// WaitConnected waits until a Socket Mode client is connected, failing t on
// timeout.
func (s *Server) WaitConnected(t testing.TB, timeout time.Duration) {
	t.Helper()
	s.Await(t, timeout, "a Socket Mode connection", s.Connected)
}

// Disconnect sends Slack's "disconnect" envelope (reason "refresh_requested")
// to every connected client. The connections get no more envelopes; a
// well-behaved client reconnects (see Connects) and closes the old one.
func (s *Server) Disconnect() {
	s.mu.Lock()
	var conns []*sockConn
	for _, c := range s.sock.conns {
		if !c.draining {
			c.draining = true
			conns = append(conns, c)
		}
	}
	s.bumpLocked()
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.write(map[string]any{
			"type":       "disconnect",
			"reason":     "refresh_requested",
			"debug_info": map[string]any{"host": "applink-slacktest"},
		})
	}
}

// DropConnections closes every Socket Mode connection abruptly, without a
// disconnect envelope, as a network failure would.
func (s *Server) DropConnections() {
	s.mu.Lock()
	conns := slices.Clone(s.sock.conns)
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.Close()
	}
}

// closeSockets closes all connections and waits for their goroutines.
func (s *Server) closeSockets() {
	s.DropConnections()
	s.sock.wg.Wait()
}
