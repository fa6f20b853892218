package slacktest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Slack's message limits.
const (
	maxMessageBlocks = 50
	maxTextLength    = 40000
)

// Metadata is message metadata (chat.postMessage "metadata").
type Metadata struct {
	EventType    string
	EventPayload map[string]any
}

// Message is a message the bot posted with chat.postMessage, or the message
// files.completeUploadExternal shared a file with.
type Message struct {
	// Channel is where the message landed: the D… id for a DM, even when the
	// post named the user.
	Channel string
	// RequestedChannel is the channel argument as sent (C…, D…, U… or name).
	RequestedChannel string
	// User is the DM's other party for D… channels, "" otherwise.
	User   string
	Text   string
	Blocks json.RawMessage // the blocks JSON array as sent; nil if none
	// Metadata is the zero value when the post had none.
	Metadata       Metadata
	TS             string
	ThreadTS       string
	ReplyBroadcast bool
	// Files lists the ids of files shared with the message (uploads only).
	Files []string
}

// Ephemeral is a chat.postEphemeral call that succeeded.
type Ephemeral struct {
	Channel   string
	User      string
	Text      string
	Blocks    json.RawMessage
	ThreadTS  string
	MessageTS string
}

// Update is a chat.update call that succeeded; fields not sent are empty.
type Update struct {
	Channel  string
	TS       string
	Text     string
	Blocks   json.RawMessage
	Metadata Metadata
}

// Deletion is a chat.delete call that succeeded.
type Deletion struct {
	Channel string
	TS      string
}

// Reaction is a reactions.add call that succeeded.
type Reaction struct {
	Channel string
	TS      string
	Name    string
}

// CurrentMessage is a message as it now stands in its channel, after any
// chat.update, chat.delete and reactions.add.
type CurrentMessage struct {
	Message
	Edited    bool
	Deleted   bool
	Reactions []string
}

type storedMessage struct {
	Message
	edited    bool
	deleted   bool
	reactions []string
	replies   []string // ts of thread replies
}

func (m Message) clone() Message {
	m.Blocks = slices.Clone(m.Blocks)
	m.Files = slices.Clone(m.Files)
	m.Metadata.EventPayload = deepCopy(m.Metadata.EventPayload)
	return m
}

// deepCopy copies decoded JSON so callers cannot race with the server.
func deepCopy[T any](v T) T {
	var out any
	switch x := any(v).(type) {
	case map[string]any:
		if x == nil {
			return v
		}
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		out = m
	case []any:
		if x == nil {
			return v
		}
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = deepCopy(e)
		}
		out = l
	default:
		return v
	}
	return out.(T)
}

// Messages returns every message posted, in order, as posted (later updates
// and deletions are in Updates, Deletions and MessageAt).
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.log))
	for i, m := range s.log {
		out[i] = m.clone()
	}
	return out
}

// MessagesTo returns the messages posted to a channel id, or — given a user
// id — to that user's DM, in order.
func (s *Server) MessagesTo(channelOrUserID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.log {
		if m.Channel == channelOrUserID || m.User == channelOrUserID {
			out = append(out, m.clone())
		}
	}
	return out
}

// MessageAt returns the message with ts in channel as it now stands.
func (s *Server) MessageAt(channel, ts string) (CurrentMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findLocked(channel, ts)
	if m == nil {
		return CurrentMessage{}, false
	}
	return CurrentMessage{Message: m.Message.clone(), Edited: m.edited, Deleted: m.deleted, Reactions: slices.Clone(m.reactions)}, true
}

// Ephemerals returns the ephemeral messages posted, in order.
func (s *Server) Ephemerals() []Ephemeral {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.ephemerals)
	for i := range out {
		out[i].Blocks = slices.Clone(out[i].Blocks)
	}
	return out
}

// Updates returns the chat.update calls that succeeded, in order.
func (s *Server) Updates() []Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.updates)
	for i := range out {
		out[i].Blocks = slices.Clone(out[i].Blocks)
		out[i].Metadata.EventPayload = deepCopy(out[i].Metadata.EventPayload)
	}
	return out
}

// Deletions returns the chat.delete calls that succeeded, in order.
func (s *Server) Deletions() []Deletion {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deletes)
}

// Reactions returns the reactions.add calls that succeeded, in order.
func (s *Server) Reactions() []Reaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reactions)
}

// findLocked returns the message with ts in channel, deleted or not.
func (s *Server) findLocked(channel, ts string) *storedMessage {
	for _, m := range s.history[channel] {
		if m.TS == ts {
			return m
		}
	}
	return nil
}

// storeLocked records a new message in the log and its channel's history.
func (s *Server) storeLocked(m Message) {
	s.log = append(s.log, m.clone())
	sm := &storedMessage{Message: m.clone()}
	s.history[m.Channel] = append(s.history[m.Channel], sm)
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		if parent := s.findLocked(m.Channel, m.ThreadTS); parent != nil {
			parent.replies = append(parent.replies, m.TS)
		}
	}
	s.bumpLocked()
}

// parseBlocks validates a blocks argument: a JSON array of at most max
// objects, each with a type, and no block_id used twice. It returns Slack's
// error code and messages when invalid.
func parseBlocks(raw json.RawMessage, max int) (json.RawMessage, []any, string, []string) {
	if len(raw) == 0 {
		return nil, nil, "", nil
	}
	var blocks []any
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return nil, nil, "invalid_blocks_format", nil
	}
	if len(blocks) > max {
		return nil, nil, "invalid_blocks", []string{"[ERROR] no more than " + strconv.Itoa(max) + " items allowed [json-pointer:/blocks]"}
	}
	seen := map[string]bool{}
	for i, b := range blocks {
		obj, ok := b.(map[string]any)
		typ, _ := obj["type"].(string)
		if !ok || typ == "" {
			return nil, nil, "invalid_blocks", []string{"[ERROR] missing required field: type [json-pointer:/blocks/" + strconv.Itoa(i) + "]"}
		}
		if id, _ := obj["block_id"].(string); id != "" {
			if seen[id] {
				return nil, nil, "invalid_blocks", []string{"[ERROR] duplicate block_id: " + id + " [json-pointer:/blocks/" + strconv.Itoa(i) + "/block_id]"}
			}
			seen[id] = true
		}
	}
	return slices.Clone(raw), blocks, "", nil
}

// slackFileIDs returns the ids of files referenced as {"slack_file":{"id":…}}
// anywhere in decoded blocks.
func slackFileIDs(v any) []string {
	var ids []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if f, ok := x["slack_file"].(map[string]any); ok {
				if id, _ := f["id"].(string); id != "" {
					ids = append(ids, id)
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return ids
}

// checkFileRefsLocked refuses blocks showing a file that is not (yet) shared
// anywhere, as Slack does while a just-uploaded file is still being
// processed or when it was uploaded without a channel.
func (s *Server) checkFileRefsLocked(blocks []any) []string {
	for _, id := range slackFileIDs(blocks) {
		f := s.files[id]
		if f == nil || len(f.sharedIn) == 0 {
			return []string{"[ERROR] invalid slack file: " + id + " [json-pointer:/blocks]"}
		}
	}
	return nil
}

func parseMetadata(raw json.RawMessage) (Metadata, string) {
	if len(raw) == 0 {
		return Metadata{}, ""
	}
	var m struct {
		EventType    string         `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return Metadata{}, "invalid_metadata_format"
	}
	if m.EventType == "" {
		if m.EventPayload != nil {
			return Metadata{}, "invalid_metadata_schema"
		}
		return Metadata{}, ""
	}
	return Metadata{EventType: m.EventType, EventPayload: m.EventPayload}, ""
}

func (s *Server) chatPostMessage(w http.ResponseWriter, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	arg := req.str("channel")
	c, code := s.resolvePostLocked(arg)
	if code != "" {
		writeError(w, code)
		return
	}
	if wait, limited := s.takeChannelTokenLocked(c.ID); limited {
		s.faults.rejected[req.method]++
		s.bumpLocked()
		writeRateLimited(w, wait)
		return
	}
	m, code, msgs := s.newMessageLocked(req, c, arg)
	if code != "" {
		writeErrorMessages(w, code, msgs...)
		return
	}
	s.storeLocked(m)
	writeOK(w, map[string]any{
		"channel": c.ID,
		"ts":      m.TS,
		"message": s.messageJSONLocked(s.findLocked(c.ID, m.TS), true),
	})
}

// newMessageLocked validates a post's content and builds the message.
func (s *Server) newMessageLocked(req *request, c *channelState, arg string) (Message, string, []string) {
	text := req.str("text")
	blocks, decoded, code, msgs := parseBlocks(req.raw("blocks"), maxMessageBlocks)
	if code != "" {
		return Message{}, code, msgs
	}
	if text == "" && len(decoded) == 0 && req.str("attachments") == "" {
		return Message{}, "no_text", nil
	}
	if utf8.RuneCountInString(text) > maxTextLength {
		return Message{}, "msg_too_long", nil
	}
	if msgs := s.checkFileRefsLocked(decoded); msgs != nil {
		return Message{}, "invalid_blocks", msgs
	}
	md, code := parseMetadata(req.raw("metadata"))
	if code != "" {
		return Message{}, code, nil
	}
	m := Message{
		Channel:          c.ID,
		RequestedChannel: arg,
		User:             c.imUser,
		Text:             text,
		Blocks:           blocks,
		Metadata:         md,
		TS:               s.nextTSLocked(),
		ThreadTS:         req.str("thread_ts"),
		ReplyBroadcast:   req.flag("reply_broadcast"),
	}
	return m, "", nil
}

// messageJSONLocked renders a stored message as Slack's API does.
func (s *Server) messageJSONLocked(m *storedMessage, withMetadata bool) map[string]any {
	out := map[string]any{
		"type":   "message",
		"user":   s.cfg.botUserID,
		"bot_id": DefaultBotID,
		"app_id": DefaultAppID,
		"team":   s.cfg.teamID,
		"text":   m.Text,
		"ts":     m.TS,
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if len(m.replies) > 0 {
		out["reply_count"] = len(m.replies)
		out["latest_reply"] = m.replies[len(m.replies)-1]
	}
	if m.ReplyBroadcast {
		out["subtype"] = "thread_broadcast"
	}
	if len(m.Blocks) > 0 {
		out["blocks"] = json.RawMessage(m.Blocks)
	}
	if withMetadata && m.Metadata.EventType != "" {
		out["metadata"] = map[string]any{
			"event_type":    m.Metadata.EventType,
			"event_payload": m.Metadata.EventPayload,
		}
	}
	if m.edited {
		out["edited"] = map[string]any{"user": s.cfg.botUserID, "ts": m.TS}
	}
	if len(m.Files) > 0 {
		var files []map[string]any
		for _, id := range m.Files {
			if f := s.files[id]; f != nil {
				files = append(files, s.fileJSONLocked(f))
			}
		}
		out["files"] = files
		out["upload"] = true
	}
	if len(m.reactions) > 0 {
		var rs []map[string]any
		for _, name := range m.reactions {
			rs = append(rs, map[string]any{"name": name, "users": []string{s.cfg.botUserID}, "count": 1})
		}
		out["reactions"] = rs
	}
	return out
}

func (s *Server) chatPostEphemeral(w http.ResponseWriter, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.visibleByNameLocked(req.str("channel"))
	if c == nil {
		writeError(w, "channel_not_found")
		return
	}
	user := req.str("user")
	if u := s.users[user]; u == nil || !c.hasMember(user) {
		writeError(w, "user_not_in_channel")
		return
	}
	text := req.str("text")
	blocks, decoded, code, msgs := parseBlocks(req.raw("blocks"), maxMessageBlocks)
	if code != "" {
		writeErrorMessages(w, code, msgs...)
		return
	}
	if text == "" && len(decoded) == 0 && req.str("attachments") == "" {
		writeError(w, "no_text")
		return
	}
	if utf8.RuneCountInString(text) > maxTextLength {
		writeError(w, "msg_too_long")
		return
	}
	e := Ephemeral{Channel: c.ID, User: user, Text: text, Blocks: blocks, ThreadTS: req.str("thread_ts"), MessageTS: s.nextTSLocked()}
	s.ephemerals = append(s.ephemerals, e)
	s.bumpLocked()
	writeOK(w, map[string]any{"message_ts": e.MessageTS})
}

// liveMessageLocked finds a message the bot may edit, or returns an error.
func (s *Server) liveMessageLocked(channel, ts string) (*channelState, *storedMessage, string) {
	c := s.visibleLocked(channel)
	if c == nil {
		return nil, nil, "channel_not_found"
	}
	m := s.findLocked(c.ID, ts)
	if m == nil || m.deleted {
		return nil, nil, "message_not_found"
	}
	return c, m, ""
}

func (s *Server) chatUpdate(w http.ResponseWriter, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, code := s.liveMessageLocked(req.str("channel"), req.str("ts"))
	if code != "" {
		writeError(w, code)
		return
	}
	text := req.str("text")
	rawBlocks := req.raw("blocks")
	blocks, decoded, code, msgs := parseBlocks(rawBlocks, maxMessageBlocks)
	if code != "" {
		writeErrorMessages(w, code, msgs...)
		return
	}
	if text == "" && rawBlocks == nil && req.str("attachments") == "" {
		writeError(w, "no_text")
		return
	}
	if utf8.RuneCountInString(text) > maxTextLength {
		writeError(w, "msg_too_long")
		return
	}
	if msgs := s.checkFileRefsLocked(decoded); msgs != nil {
		writeErrorMessages(w, "invalid_blocks", msgs...)
		return
	}
	md, code := parseMetadata(req.raw("metadata"))
	if code != "" {
		writeError(w, code)
		return
	}
	// Like Slack, fields left out keep their previous value; an empty
	// blocks array clears the blocks.
	if text != "" {
		m.Text = text
	}
	if rawBlocks != nil {
		m.Blocks = blocks
		if len(decoded) == 0 {
			m.Blocks = nil
		}
	}
	if md.EventType != "" {
		m.Metadata = md
	}
	m.edited = true
	s.updates = append(s.updates, Update{Channel: c.ID, TS: m.TS, Text: text, Blocks: slices.Clone(blocks), Metadata: md})
	s.bumpLocked()
	writeOK(w, map[string]any{
		"channel": c.ID,
		"ts":      m.TS,
		"text":    m.Text,
		"message": s.messageJSONLocked(m, true),
	})
}

func (s *Server) chatDelete(w http.ResponseWriter, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, code := s.liveMessageLocked(req.str("channel"), req.str("ts"))
	if code != "" {
		writeError(w, code)
		return
	}
	m.deleted = true
	s.deletes = append(s.deletes, Deletion{Channel: c.ID, TS: m.TS})
	s.bumpLocked()
	writeOK(w, map[string]any{"channel": c.ID, "ts": m.TS})
}

func (s *Server) reactionsAdd(w http.ResponseWriter, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := strings.Trim(req.str("name"), ":")
	if name == "" {
		writeError(w, "invalid_name")
		return
	}
	c, m, code := s.liveMessageLocked(req.str("channel"), req.str("timestamp"))
	if code != "" {
		if code == "channel_not_found" {
			code = "message_not_found"
		}
		writeError(w, code)
		return
	}
	if slices.Contains(m.reactions, name) {
		writeError(w, "already_reacted")
		return
	}
	m.reactions = append(m.reactions, name)
	s.reactions = append(s.reactions, Reaction{Channel: c.ID, TS: m.TS, Name: name})
	s.bumpLocked()
	writeOK(w, nil)
}
