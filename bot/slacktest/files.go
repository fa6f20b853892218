package slacktest

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// UploadMethod names the upload URL step (POSTing the bytes) for Calls,
// Rejected and FailNext.
const UploadMethod = "upload"

// File is a file uploaded through files.getUploadURLExternal, the upload
// URL and files.completeUploadExternal.
type File struct {
	ID          string
	Name        string // filename
	Title       string
	AltText     string
	SnippetType string
	Length      int    // length declared to files.getUploadURLExternal
	Bytes       []byte // bytes POSTed to the upload URL
	// Channels are the channels files.completeUploadExternal shared the file
	// to; with SetFileShareDelay they show in files.info only later.
	Channels       []string
	InitialComment string
	ThreadTS       string
	Uploaded       bool // bytes received
	Completed      bool // files.completeUploadExternal succeeded
	Shared         bool // sharing done: visible in files.info and to blocks
}

type fileState struct {
	File
	created  int64
	sharedIn []string          // channels where the share is visible
	shareTS  map[string]string // channel -> ts of the share message
}

// Files returns the files, in the order their upload started.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]File, 0, len(s.fileOrder))
	for _, id := range s.fileOrder {
		f := s.files[id].File
		f.Bytes = slices.Clone(f.Bytes)
		f.Channels = slices.Clone(f.Channels)
		out = append(out, f)
	}
	return out
}

// SetFileShareDelay makes files.completeUploadExternal share files only d
// later, as Slack does asynchronously: until then files.info shows no
// channels, blocks showing the file are refused with invalid_blocks, and the
// share message is not yet posted. 0 (the default) shares immediately.
func (s *Server) SetFileShareDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shareDelay = d
}

func (s *Server) filesGetUploadURLExternal(w http.ResponseWriter, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := req.str("filename")
	length, err := strconv.Atoi(req.str("length"))
	if name == "" || err != nil || length <= 0 {
		writeError(w, "invalid_arguments")
		return
	}
	f := &fileState{
		File: File{
			ID:          s.nextIDLocked("F"),
			Name:        name,
			AltText:     req.str("alt_txt"),
			SnippetType: req.str("snippet_type"),
			Length:      length,
		},
		created: time.Now().Unix(),
		shareTS: map[string]string{},
	}
	s.files[f.ID] = f
	s.fileOrder = append(s.fileOrder, f.ID)
	s.bumpLocked()
	writeOK(w, map[string]any{"upload_url": s.http.URL + "/upload/" + f.ID, "file_id": f.ID})
}

// serveUpload accepts the bytes POSTed to an upload URL, either as a
// multipart form (as slack-go sends them) or as the raw body.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request, id string) {
	s.countCall(UploadMethod)
	if f, ok := s.takeFailure(UploadMethod); ok {
		writeFailure(w, f)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	data, err := readUpload(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[id]
	if f == nil || f.Completed {
		http.NotFound(w, r)
		return
	}
	f.Bytes = data
	f.Uploaded = true
	s.bumpLocked()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "OK - "+strconv.Itoa(len(data)))
}

func readUpload(r *http.Request) ([]byte, error) {
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ctype != "multipart/form-data" {
		return io.ReadAll(r.Body)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, err
	}
	var first []byte
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return first, nil
		}
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, err
		}
		if part.FileName() != "" || part.FormName() == "file" {
			return data, nil
		}
		if first == nil {
			first = data
		}
	}
}

func (s *Server) filesCompleteUploadExternal(w http.ResponseWriter, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var summaries []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal(req.raw("files"), &summaries); err != nil || len(summaries) == 0 {
		writeError(w, "invalid_arguments")
		return
	}
	var files []*fileState
	for _, fs := range summaries {
		f := s.files[fs.ID]
		if f == nil || !f.Uploaded || f.Completed {
			writeError(w, "file_not_found")
			return
		}
		files = append(files, f)
	}
	var channels []*channelState
	var ids []string
	if id := req.str("channel_id"); id != "" {
		ids = append(ids, id)
	}
	if list := req.str("channels"); list != "" {
		for id := range strings.SplitSeq(list, ",") {
			ids = append(ids, strings.TrimSpace(id))
		}
	}
	for _, id := range ids {
		c := s.visibleLocked(id)
		if c == nil {
			writeError(w, "channel_not_found")
			return
		}
		channels = append(channels, c)
	}
	comment := req.str("initial_comment")
	var blocks json.RawMessage
	if comment == "" {
		var code string
		var msgs []string
		blocks, _, code, msgs = parseBlocks(req.raw("blocks"), maxMessageBlocks)
		if code != "" {
			writeErrorMessages(w, code, msgs...)
			return
		}
	}
	threadTS := req.str("thread_ts")
	out := make([]map[string]any, 0, len(files))
	fileIDs := make([]string, 0, len(files))
	for i, f := range files {
		if summaries[i].Title != "" {
			f.Title = summaries[i].Title
		} else if f.Title == "" {
			f.Title = f.Name
		}
		f.Completed = true
		f.InitialComment = comment
		f.ThreadTS = threadTS
		for _, c := range channels {
			f.Channels = append(f.Channels, c.ID)
		}
		if len(channels) == 0 {
			f.Shared = true // private to the bot: nothing to wait for
		}
		fileIDs = append(fileIDs, f.ID)
		out = append(out, map[string]any{"id": f.ID, "title": f.Title})
	}
	share := func() {
		for _, c := range channels {
			m := Message{
				Channel:          c.ID,
				RequestedChannel: c.ID,
				User:             c.imUser,
				Text:             comment,
				Blocks:           blocks,
				TS:               s.nextTSLocked(),
				ThreadTS:         threadTS,
				Files:            fileIDs,
			}
			for _, f := range files {
				f.sharedIn = append(f.sharedIn, c.ID)
				f.shareTS[c.ID] = m.TS
			}
			s.storeLocked(m)
		}
		for _, f := range files {
			f.Shared = true
		}
		s.bumpLocked()
	}
	if len(channels) > 0 {
		if s.shareDelay <= 0 {
			share()
		} else {
			s.shareTimers = append(s.shareTimers, time.AfterFunc(s.shareDelay, func() {
				s.mu.Lock()
				defer s.mu.Unlock()
				if !s.closed {
					share()
				}
			}))
		}
	}
	s.bumpLocked()
	writeOK(w, map[string]any{"files": out})
}

func (s *Server) filesInfo(w http.ResponseWriter, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[req.str("file")]
	if f == nil || !f.Completed {
		writeError(w, "file_not_found")
		return
	}
	writeOK(w, map[string]any{
		"file":              s.fileJSONLocked(f),
		"comments":          []any{},
		"paging":            map[string]any{"count": 100, "total": 0, "page": 1, "pages": 0},
		"response_metadata": map[string]any{"next_cursor": ""},
	})
}

// fileJSONLocked renders a file object as files.info returns it.
func (s *Server) fileJSONLocked(f *fileState) map[string]any {
	ext := strings.TrimPrefix(path.Ext(f.Name), ".")
	mimetype := mime.TypeByExtension(path.Ext(f.Name))
	if mimetype == "" {
		mimetype = "application/octet-stream"
	}
	mimetype, _, _ = strings.Cut(mimetype, ";")
	channels, groups, ims := []string{}, []string{}, []string{}
	public, private := map[string]any{}, map[string]any{}
	isPublic := false
	for _, cid := range f.sharedIn {
		c := s.channels[cid]
		share := []map[string]any{{"ts": f.shareTS[cid], "channel_name": c.Name, "team_id": s.cfg.teamID, "reply_users_count": 0, "reply_count": 0}}
		switch {
		case c.isIM:
			ims = append(ims, cid)
			private[cid] = share
		case c.IsPrivate || c.isMPIM:
			groups = append(groups, cid)
			private[cid] = share
		default:
			channels = append(channels, cid)
			public[cid] = share
			isPublic = true
		}
	}
	shares := map[string]any{}
	if len(public) > 0 {
		shares["public"] = public
	}
	if len(private) > 0 {
		shares["private"] = private
	}
	url := s.http.URL + "/files/" + f.ID + "/" + f.Name
	return map[string]any{
		"id":                   f.ID,
		"created":              f.created,
		"timestamp":            f.created,
		"name":                 f.Name,
		"title":                f.Title,
		"mimetype":             mimetype,
		"filetype":             ext,
		"pretty_type":          strings.ToUpper(ext),
		"user":                 s.cfg.botUserID,
		"user_team":            s.cfg.teamID,
		"mode":                 "hosted",
		"editable":             false,
		"is_external":          false,
		"external_type":        "",
		"is_public":            isPublic,
		"public_url_shared":    false,
		"size":                 len(f.Bytes),
		"url_private":          url,
		"url_private_download": url + "?download=1",
		"permalink":            "https://hearth-test.slack.com/files/" + s.cfg.botUserID + "/" + f.ID + "/" + f.Name,
		"alt_txt":              f.AltText,
		"channels":             channels,
		"groups":               groups,
		"ims":                  ims,
		"shares":               shares,
		"comments_count":       0,
	}
}

// serveDownload serves url_private to holders of the bot token.
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request, rest string) {
	id, _, _ := strings.Cut(rest, "/")
	if r.Header.Get("Authorization") != "Bearer "+s.cfg.botToken {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	s.mu.Lock()
	f := s.files[id]
	var data []byte
	if f != nil && f.Completed {
		data = slices.Clone(f.Bytes)
	}
	s.mu.Unlock()
	if data == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(data)
}
