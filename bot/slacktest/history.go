package slacktest

import "net/http"

// historyLocked checks that the bot may read channel's history.
func (s *Server) historyChannelLocked(channel string) (*channelState, string) {
	c := s.visibleLocked(channel)
	if c == nil {
		return nil, "channel_not_found"
	}
	if !c.isIM && !c.hasMember(s.cfg.botUserID) {
		return nil, "not_in_channel"
	}
	return c, ""
}

// conversationsHistory returns top-level messages (and thread broadcasts),
// newest first. Message metadata is returned only with include_all_metadata,
// the strict reading of Slack's docs.
func (s *Server) conversationsHistory(w http.ResponseWriter, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, code := s.historyChannelLocked(req.str("channel"))
	if code != "" {
		writeError(w, code)
		return
	}
	oldest, latest, ok := timeRange(req)
	if !ok {
		writeError(w, "invalid_ts_oldest")
		return
	}
	inclusive := req.flag("inclusive")
	var match []*storedMessage
	all := s.history[c.ID]
	for i := len(all) - 1; i >= 0; i-- {
		m := all[i]
		if m.deleted || (m.ThreadTS != "" && m.ThreadTS != m.TS && !m.ReplyBroadcast) {
			continue
		}
		if inRange(m.TS, oldest, latest, inclusive) {
			match = append(match, m)
		}
	}
	s.writeMessagePage(w, req, match, "")
}

// conversationsReplies returns a thread: the parent, then replies oldest
// first.
func (s *Server) conversationsReplies(w http.ResponseWriter, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, code := s.historyChannelLocked(req.str("channel"))
	if code != "" {
		writeError(w, code)
		return
	}
	parent := s.findLocked(c.ID, req.str("ts"))
	if parent == nil || parent.deleted {
		writeError(w, "thread_not_found")
		return
	}
	root := parent.TS
	if parent.ThreadTS != "" {
		root = parent.ThreadTS
	}
	oldest, latest, ok := timeRange(req)
	if !ok {
		writeError(w, "invalid_ts_oldest")
		return
	}
	var match []*storedMessage
	for _, m := range s.history[c.ID] {
		if m.deleted || (m.TS != root && m.ThreadTS != root) {
			continue
		}
		if inRange(m.TS, oldest, latest, req.flag("inclusive")) || m.TS == root {
			match = append(match, m)
		}
	}
	s.writeMessagePage(w, req, match, root)
}

func (s *Server) writeMessagePage(w http.ResponseWriter, req *request, match []*storedMessage, threadTS string) {
	start, end, next, code := paginate(len(match), req, 100, 999)
	if code != "" {
		writeError(w, code)
		return
	}
	withMeta := req.flag("include_all_metadata")
	msgs := make([]map[string]any, 0, end-start)
	for _, m := range match[start:end] {
		msgs = append(msgs, s.messageJSONLocked(m, withMeta))
	}
	resp := map[string]any{
		"messages":          msgs,
		"has_more":          next != "",
		"pin_count":         0,
		"response_metadata": map[string]any{"next_cursor": next},
	}
	if threadTS == "" {
		if l := req.str("latest"); l != "" {
			resp["latest"] = l
		}
	}
	writeOK(w, resp)
}

// timeRange parses oldest and latest (microseconds; latest 0 means now).
func timeRange(req *request) (oldest, latest int64, ok bool) {
	if v := req.str("oldest"); v != "" && v != "0" {
		if oldest, ok = parseTS(v); !ok {
			return 0, 0, false
		}
	}
	if v := req.str("latest"); v != "" && v != "0" {
		if latest, ok = parseTS(v); !ok {
			return 0, 0, false
		}
	}
	return oldest, latest, true
}

func inRange(ts string, oldest, latest int64, inclusive bool) bool {
	t, _ := parseTS(ts)
	if oldest > 0 && (t < oldest || (t == oldest && !inclusive)) {
		return false
	}
	if latest > 0 && (t > latest || (t == latest && !inclusive)) {
		return false
	}
	return true
}
