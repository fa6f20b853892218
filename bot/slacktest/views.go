package slacktest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Slack's view limits.
const (
	maxViewBlocks      = 100
	maxViewTitle       = 24
	maxPrivateMetadata = 3000
	maxViewBytes       = 250 * 1024
	// TriggerTTL is how long a trigger id from NewTriggerID stays usable.
	TriggerTTL = 3 * time.Second
	// ExpiredTriggerID is a trigger id views.open and views.push always
	// refuse with expired_trigger_id.
	ExpiredTriggerID = "expired"
)

// View is a view the app opened, pushed, updated or published.
type View struct {
	ID              string
	Type            string // "modal" or "home"
	CallbackID      string
	ExternalID      string
	PrivateMetadata string
	Title           string // the title's text (modals)
	TriggerID       string // views.open and views.push
	UserID          string // views.publish
	Hash            string // the hash Slack returned for this version
	Blocks          json.RawMessage
	// JSON is the view object as sent.
	JSON json.RawMessage
}

func (v View) clone() View {
	v.Blocks = slices.Clone(v.Blocks)
	v.JSON = slices.Clone(v.JSON)
	return v
}

type viewState struct {
	View
	obj        map[string]any
	rootID     string
	previousID string
}

// NewTriggerID returns a trigger id, like those in interaction payloads,
// that views.open and views.push accept for TriggerTTL (3s; see
// WithTriggerTTL) after this call and refuse with expired_trigger_id
// afterwards. Trigger ids the server did
// not issue are accepted at any time, except ExpiredTriggerID.
func (s *Server) NewTriggerID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := fmt.Sprintf("%d.%d.%08x", 1000000+s.seq, time.Now().Unix(), s.seq*2654435761%(1<<32))
	s.triggers[id] = time.Now()
	return id
}

// ViewsOpened returns the views opened with views.open, in order.
func (s *Server) ViewsOpened() []View { return s.cloneViews(&s.opened) }

// ViewsPushed returns the views pushed with views.push, in order.
func (s *Server) ViewsPushed() []View { return s.cloneViews(&s.pushed) }

// ViewUpdates returns the views sent with views.update, in order.
func (s *Server) ViewUpdates() []View { return s.cloneViews(&s.viewUpdates) }

// PublishedViews returns every views.publish that succeeded, in order.
func (s *Server) PublishedViews() []View { return s.cloneViews(&s.published) }

// Published returns the latest Home tab view published for userID.
func (s *Server) Published(userID string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.published) - 1; i >= 0; i-- {
		if s.published[i].UserID == userID {
			return s.published[i].clone(), true
		}
	}
	return View{}, false
}

func (s *Server) cloneViews(list *[]View) []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]View, len(*list))
	for i, v := range *list {
		out[i] = v.clone()
	}
	return out
}

// checkTriggerLocked returns an error code for an unusable trigger id.
func (s *Server) checkTriggerLocked(id string) string {
	switch {
	case id == "":
		return "invalid_arguments"
	case id == ExpiredTriggerID:
		return "expired_trigger_id"
	}
	if issued, ok := s.triggers[id]; ok && time.Since(issued) > s.cfg.triggerTTL {
		return "expired_trigger_id"
	}
	return ""
}

// parseView validates a view argument against Slack's limits.
func parseView(raw json.RawMessage, wantType string) (map[string]any, View, string, []string) {
	if len(raw) == 0 {
		return nil, View{}, "invalid_arguments", []string{"[ERROR] missing required field: view"}
	}
	if len(raw) > maxViewBytes {
		return nil, View{}, "view_too_large", nil
	}
	var obj map[string]any
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil || json.Unmarshal(raw, &fields) != nil || obj == nil {
		return nil, View{}, "invalid_arguments", []string{"[ERROR] view must be a JSON object [json-pointer:/view]"}
	}
	str := func(k string) string { v, _ := obj[k].(string); return v }
	textOf := func(k string) (string, bool) {
		o, ok := obj[k].(map[string]any)
		if !ok {
			return "", false
		}
		t, _ := o["text"].(string)
		return t, true
	}
	v := View{
		Type:            str("type"),
		CallbackID:      str("callback_id"),
		ExternalID:      str("external_id"),
		PrivateMetadata: str("private_metadata"),
		JSON:            slices.Clone(raw),
	}
	var errs []string
	if v.Type != wantType {
		errs = append(errs, "[ERROR] invalid view type: "+strconv.Quote(v.Type)+" [json-pointer:/view/type]")
	}
	if v.Type == "modal" {
		title, ok := textOf("title")
		v.Title = title
		if !ok || title == "" {
			errs = append(errs, "[ERROR] missing required field: title [json-pointer:/view/title]")
		}
		for _, k := range []string{"title", "submit", "close"} {
			if t, _ := textOf(k); utf8.RuneCountInString(t) > maxViewTitle {
				errs = append(errs, "[ERROR] must be less than 25 characters [json-pointer:/view/"+k+"/text]")
			}
		}
	}
	if utf8.RuneCountInString(v.PrivateMetadata) > maxPrivateMetadata {
		errs = append(errs, "[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]")
	}
	if len(v.CallbackID) > 255 || len(v.ExternalID) > 255 {
		errs = append(errs, "[ERROR] must be less than 256 characters [json-pointer:/view]")
	}
	rawBlocks := fields["blocks"]
	if obj["blocks"] == nil {
		errs = append(errs, "[ERROR] missing required field: blocks [json-pointer:/view/blocks]")
	} else {
		blocks, decoded, code, msgs := parseBlocks(rawBlocks, maxViewBlocks)
		if code != "" {
			if msgs == nil {
				msgs = []string{"[ERROR] invalid blocks [json-pointer:/view/blocks]"}
			}
			errs = append(errs, msgs...)
		}
		v.Blocks = blocks
		if v.Type == "modal" && obj["submit"] == nil {
			for _, b := range decoded {
				if b.(map[string]any)["type"] == "input" {
					errs = append(errs, "[ERROR] must provide submit property when using input blocks [json-pointer:/view]")
					break
				}
			}
		}
	}
	if errs != nil {
		return nil, View{}, "invalid_arguments", errs
	}
	return obj, v, "", nil
}

func (s *Server) newHashLocked() string {
	s.seq++
	return fmt.Sprintf("%d.%08x", time.Now().Unix(), s.seq*2654435761%(1<<32))
}

// viewJSON renders a stored view as Slack returns it.
func (s *Server) viewJSON(vs *viewState) map[string]any {
	out := maps.Clone(vs.obj)
	maps.Copy(out, map[string]any{
		"id":                    vs.ID,
		"team_id":               s.cfg.teamID,
		"type":                  vs.Type,
		"private_metadata":      vs.PrivateMetadata,
		"callback_id":           vs.CallbackID,
		"external_id":           vs.ExternalID,
		"state":                 map[string]any{"values": map[string]any{}},
		"hash":                  vs.Hash,
		"root_view_id":          vs.rootID,
		"previous_view_id":      nilIfEmpty(vs.previousID),
		"app_id":                DefaultAppID,
		"bot_id":                DefaultBotID,
		"app_installed_team_id": s.cfg.teamID,
	})
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// createViewLocked stores a new view; it refuses a duplicate external id.
func (s *Server) createViewLocked(obj map[string]any, v View) (*viewState, string) {
	if v.ExternalID != "" {
		if _, dup := s.externalViews[v.ExternalID]; dup {
			return nil, "duplicate_external_id"
		}
	}
	v.ID = s.nextIDLocked("V")
	v.Hash = s.newHashLocked()
	vs := &viewState{View: v, obj: obj, rootID: v.ID}
	s.views[v.ID] = vs
	if v.ExternalID != "" {
		s.externalViews[v.ExternalID] = v.ID
	}
	return vs, ""
}

func (s *Server) viewsOpen(w http.ResponseWriter, req *request) { s.openOrPush(w, req, &s.opened) }

func (s *Server) viewsPush(w http.ResponseWriter, req *request) { s.openOrPush(w, req, &s.pushed) }

func (s *Server) openOrPush(w http.ResponseWriter, req *request, record *[]View) {
	s.mu.Lock()
	defer s.mu.Unlock()
	trigger := req.str("trigger_id")
	if trigger == "" {
		trigger = req.str("interactivity_pointer")
	}
	if code := s.checkTriggerLocked(trigger); code != "" {
		writeError(w, code)
		return
	}
	obj, v, code, msgs := parseView(req.raw("view"), "modal")
	if code != "" {
		writeErrorMessages(w, code, msgs...)
		return
	}
	v.TriggerID = trigger
	vs, code := s.createViewLocked(obj, v)
	if code != "" {
		writeError(w, code)
		return
	}
	*record = append(*record, vs.View.clone())
	s.bumpLocked()
	writeOK(w, map[string]any{"view": s.viewJSON(vs)})
}

func (s *Server) viewsUpdate(w http.ResponseWriter, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := req.str("view_id")
	if id == "" {
		if ext := req.str("external_id"); ext != "" {
			id = s.externalViews[ext]
		} else {
			writeError(w, "invalid_arguments")
			return
		}
	}
	vs := s.views[id]
	if vs == nil {
		writeError(w, "not_found")
		return
	}
	if h := req.str("hash"); h != "" && h != vs.Hash {
		writeError(w, "hash_conflict")
		return
	}
	obj, v, code, msgs := parseView(req.raw("view"), vs.Type)
	if code != "" {
		writeErrorMessages(w, code, msgs...)
		return
	}
	if v.ExternalID != "" && v.ExternalID != vs.ExternalID {
		if _, dup := s.externalViews[v.ExternalID]; dup {
			writeError(w, "duplicate_external_id")
			return
		}
		s.externalViews[v.ExternalID] = vs.ID
	}
	v.ID, v.UserID, v.TriggerID = vs.ID, vs.UserID, ""
	v.Hash = s.newHashLocked()
	vs.View, vs.obj = v, obj
	s.viewUpdates = append(s.viewUpdates, v.clone())
	s.bumpLocked()
	writeOK(w, map[string]any{"view": s.viewJSON(vs)})
}

func (s *Server) viewsPublish(w http.ResponseWriter, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	user := req.str("user_id")
	if s.users[user] == nil {
		writeError(w, "user_not_found")
		return
	}
	obj, v, code, msgs := parseView(req.raw("view"), "home")
	if code != "" {
		writeErrorMessages(w, code, msgs...)
		return
	}
	var vs *viewState
	if id, ok := s.homeViews[user]; ok {
		vs = s.views[id]
		if h := req.str("hash"); h != "" && h != vs.Hash {
			writeError(w, "hash_conflict")
			return
		}
		v.ID = vs.ID
		v.Hash = s.newHashLocked()
		vs.View, vs.obj = v, obj
	} else {
		vs, code = s.createViewLocked(obj, v)
		if code != "" {
			writeError(w, code)
			return
		}
		s.homeViews[user] = vs.ID
	}
	vs.UserID = user
	s.published = append(s.published, vs.View.clone())
	s.bumpLocked()
	writeOK(w, map[string]any{"view": s.viewJSON(vs)})
}
