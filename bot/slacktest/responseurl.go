package slacktest

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
)

// maxResponseURLPosts is how many times a response_url may be used.
const maxResponseURLPosts = 5

// ResponsePost is a message POSTed to a response_url from NewResponseURL.
type ResponsePost struct {
	URL             string
	ResponseType    string // "ephemeral" (Slack's default) or "in_channel"
	Text            string
	Blocks          json.RawMessage
	ThreadTS        string
	ReplaceOriginal bool
	DeleteOriginal  bool
	// JSON is the body as sent.
	JSON json.RawMessage
}

// NewResponseURL returns a response_url, like those in slash command and
// interaction payloads, served by this server. It accepts up to 5 posts, as
// Slack's do; further posts get ok:false "used_url".
func (s *Server) NewResponseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	key := strconv.Itoa(s.seq)
	s.respURLs[key] = 0
	return s.http.URL + "/response/" + key
}

// ResponsePosts returns the posts made to response URLs, in order.
func (s *Server) ResponsePosts() []ResponsePost {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.respPosts)
	for i := range out {
		out[i].Blocks = slices.Clone(out[i].Blocks)
		out[i].JSON = slices.Clone(out[i].JSON)
	}
	return out
}

func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request, key string) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	used, ok := s.respURLs[key]
	switch {
	case !ok:
		http.NotFound(w, r)
		return
	case used >= maxResponseURLPosts:
		writeError(w, "used_url")
		return
	}
	var msg struct {
		Text            string          `json:"text"`
		Blocks          json.RawMessage `json:"blocks"`
		ResponseType    string          `json:"response_type"`
		ThreadTS        string          `json:"thread_ts"`
		ReplaceOriginal bool            `json:"replace_original"`
		DeleteOriginal  bool            `json:"delete_original"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		writeError(w, "invalid_payload")
		return
	}
	if string(msg.Blocks) == "null" {
		msg.Blocks = nil
	}
	blocks, decoded, code, msgs := parseBlocks(msg.Blocks, maxMessageBlocks)
	if code != "" {
		writeErrorMessages(w, code, msgs...)
		return
	}
	if msg.Text == "" && len(decoded) == 0 && !msg.DeleteOriginal {
		writeError(w, "no_text")
		return
	}
	if msg.ResponseType == "" {
		msg.ResponseType = "ephemeral"
	}
	s.respURLs[key] = used + 1
	s.respPosts = append(s.respPosts, ResponsePost{
		URL:             s.http.URL + "/response/" + key,
		ResponseType:    msg.ResponseType,
		Text:            msg.Text,
		Blocks:          blocks,
		ThreadTS:        msg.ThreadTS,
		ReplaceOriginal: msg.ReplaceOriginal,
		DeleteOriginal:  msg.DeleteOriginal,
		JSON:            body,
	})
	s.bumpLocked()
	writeOK(w, nil)
}
