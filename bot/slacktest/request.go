package slacktest

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// request is a parsed Web API call: form fields (form-encoded, multipart or
// query string) and/or the members of a JSON body.
type request struct {
	method string
	token  string
	form   url.Values
	json   map[string]json.RawMessage
}

type requestError string

func (e requestError) Error() string { return string(e) }

func parseRequest(r *http.Request) (*request, error) {
	req := &request{form: url.Values{}}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ctype {
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, requestError("invalid_form_data")
		}
		req.form = r.URL.Query()
		if len(strings.TrimSpace(string(body))) > 0 {
			if err := json.Unmarshal(body, &req.json); err != nil {
				return nil, requestError("invalid_json")
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return nil, requestError("invalid_form_data")
		}
		req.form = r.Form
	default:
		if err := r.ParseForm(); err != nil {
			return nil, requestError("invalid_form_data")
		}
		req.form = r.Form
	}
	// Slack takes the token from the Authorization header, or as a POST
	// parameter for form requests (slack-go sends form methods that way).
	// A JSON body cannot carry it.
	if auth := strings.TrimSpace(r.Header.Get("Authorization")); auth != "" {
		scheme, token, _ := strings.Cut(auth, " ")
		if strings.EqualFold(scheme, "Bearer") {
			req.token = strings.TrimSpace(token)
		} else {
			req.token = "?" // not a bearer token: invalid_auth
		}
	} else {
		req.token = req.form.Get("token")
	}
	return req, nil
}

// str returns a parameter as a string: JSON strings are unquoted, other
// JSON values returned as their JSON text.
func (r *request) str(key string) string {
	if raw, ok := r.json[key]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		if string(raw) == "null" {
			return ""
		}
		return string(raw)
	}
	return r.form.Get(key)
}

// raw returns a parameter holding JSON (blocks, view, metadata, files): the
// JSON value of a JSON body member, or the JSON text of a form field. A JSON
// body member that is a string holding JSON is unwrapped, as Slack does.
func (r *request) raw(key string) json.RawMessage {
	if raw, ok := r.json[key]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return json.RawMessage(s)
		}
		if string(raw) == "null" {
			return nil
		}
		return raw
	}
	if v := r.form.Get(key); v != "" {
		return json.RawMessage(v)
	}
	return nil
}

// flag reports a boolean parameter ("true", "1").
func (r *request) flag(key string) bool {
	v := r.str(key)
	return v == "true" || v == "1"
}

// limit returns the "limit" parameter, def when absent or 0, capped at max.
func (r *request) limit(def, max int) (int, bool) {
	v := r.str("limit")
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, false
	}
	if n == 0 {
		return def, true
	}
	return min(n, max), true
}

// writeJSON writes an HTTP 200 JSON body.
func writeJSON(w http.ResponseWriter, v any) { writeJSONStatus(w, http.StatusOK, v) }

// writeJSONStatus writes a JSON body with the given HTTP status.
func writeJSONStatus(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeOK writes {"ok":true, …fields}.
func writeOK(w http.ResponseWriter, fields map[string]any) {
	if fields == nil {
		fields = map[string]any{}
	}
	fields["ok"] = true
	writeJSON(w, fields)
}

// writeError writes Slack's HTTP 200 {"ok":false,"error":code}.
func writeError(w http.ResponseWriter, code string) {
	writeJSON(w, map[string]any{"ok": false, "error": code})
}

// writeErrorMessages writes an error with response_metadata.messages, as
// Slack does for invalid_arguments and invalid_blocks.
func writeErrorMessages(w http.ResponseWriter, code string, messages ...string) {
	writeJSON(w, map[string]any{
		"ok":                false,
		"error":             code,
		"response_metadata": map[string]any{"messages": messages},
	})
}
