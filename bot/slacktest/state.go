package slacktest

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // users' time zones work without system tzdata
)

// User is a member of the fake workspace.
type User struct {
	ID       string
	Name     string // handle, e.g. "ada"
	RealName string
	// DisplayName is the profile display name (optional).
	DisplayName string
	// TZ is the IANA time zone name, e.g. "Europe/Paris"; "" means the user
	// has none (users.info then omits tz, tz_label and tz_offset is 0).
	TZ      string
	IsBot   bool
	Deleted bool
	IsAdmin bool
	IsOwner bool
}

// Channel is a public or private channel (C…). DMs (D…) are not added this
// way: Slack creates them on conversations.open or when posting to a user id;
// see DMChannel.
type Channel struct {
	ID        string // "" generates a C… id
	Name      string // without "#"; "" uses the lower-cased id
	IsPrivate bool
	// Members are user ids. The bot is a member only if listed: a private
	// channel without the bot is invisible to it (channel_not_found), and
	// reading the history of a public one it is not in gives not_in_channel.
	Members []string
}

type channelState struct {
	Channel
	isIM    bool
	isMPIM  bool
	imUser  string // the other party of a DM
	created int64
}

func (c *channelState) hasMember(id string) bool { return slices.Contains(c.Members, id) }

// AddUser adds u to the workspace, or replaces the user with the same id
// (e.g. to deactivate someone or change their time zone).
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[u.ID]; !ok {
		s.userOrder = append(s.userOrder, u.ID)
	}
	cp := u
	s.users[u.ID] = &cp
	s.bumpLocked()
}

// AddChannel adds c to the workspace, or replaces the channel with the same
// id, and returns its id.
func (s *Server) AddChannel(c Channel) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ID == "" {
		c.ID = s.nextIDLocked("C")
	}
	if c.Name == "" {
		c.Name = strings.ToLower(c.ID)
	}
	c.Members = slices.Clone(c.Members)
	if old, ok := s.channels[c.ID]; ok {
		old.Channel = c
	} else {
		s.channels[c.ID] = &channelState{Channel: c, created: time.Now().Unix()}
		s.chanOrder = append(s.chanOrder, c.ID)
	}
	s.bumpLocked()
	return c.ID
}

// Users returns the workspace's users in the order they were added
// (including the bot user and, unless WithoutSlackbot, USLACKBOT).
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.userOrder))
	for _, id := range s.userOrder {
		out = append(out, *s.users[id])
	}
	return out
}

// DMChannel returns the id of the bot's DM channel with userID, creating it
// as Slack would on first use; it returns "" if the user does not exist.
// The id is stable for the life of the server.
func (s *Server) DMChannel(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[userID] == nil {
		return ""
	}
	return s.dmLocked(userID).ID
}

func (s *Server) dmLocked(userID string) *channelState {
	if id, ok := s.dms[userID]; ok {
		return s.channels[id]
	}
	c := &channelState{
		Channel: Channel{ID: s.nextIDLocked("D"), Members: []string{userID, s.cfg.botUserID}},
		isIM:    true,
		imUser:  userID,
		created: time.Now().Unix(),
	}
	c.Name = c.ID
	s.channels[c.ID] = c
	s.chanOrder = append(s.chanOrder, c.ID)
	s.dms[userID] = c.ID
	s.bumpLocked()
	return c
}

// visibleLocked returns the channel with id if the bot can see it: private
// channels and group DMs the bot is not in are invisible to it.
func (s *Server) visibleLocked(id string) *channelState {
	c := s.channels[id]
	if c == nil {
		return nil
	}
	if (c.IsPrivate || c.isMPIM) && !c.hasMember(s.cfg.botUserID) {
		return nil
	}
	return c
}

// visibleByNameLocked is visibleLocked that also accepts "#name" or "name",
// as chat.postMessage does.
func (s *Server) visibleByNameLocked(arg string) *channelState {
	if c := s.visibleLocked(arg); c != nil {
		return c
	}
	name := strings.TrimPrefix(arg, "#")
	for _, cid := range s.chanOrder {
		if c := s.channels[cid]; !c.isIM && !c.isMPIM && c.Name == name {
			return s.visibleLocked(cid)
		}
	}
	return nil
}

// resolvePostLocked resolves a chat.postMessage channel argument: a channel
// id or name, a D… id, or a user id (the bot's DM with that user, created if
// needed). It returns an error code when Slack would refuse the post.
func (s *Server) resolvePostLocked(arg string) (*channelState, string) {
	if arg == "" {
		return nil, "channel_not_found"
	}
	if u := s.users[arg]; u != nil {
		switch {
		case u.ID == s.cfg.botUserID || (u.IsBot && u.ID != SlackbotID):
			return nil, "cannot_dm_bot"
		case u.Deleted:
			// A deactivated user's DM is archived.
			return nil, "is_archived"
		}
		return s.dmLocked(u.ID), ""
	}
	c := s.visibleByNameLocked(arg)
	if c == nil {
		return nil, "channel_not_found"
	}
	if c.isIM {
		if u := s.users[c.imUser]; u != nil && u.Deleted {
			return nil, "is_archived"
		}
	}
	return c, ""
}

func (s *Server) authTest(w http.ResponseWriter, _ *request) {
	writeOK(w, map[string]any{
		"url":                   "https://hearth-test.slack.com/",
		"team":                  "Hearth Test",
		"user":                  s.cfg.botName,
		"team_id":               s.cfg.teamID,
		"user_id":               s.cfg.botUserID,
		"bot_id":                DefaultBotID,
		"is_enterprise_install": false,
	})
}

func (s *Server) userJSON(u *User) map[string]any {
	display := u.DisplayName
	m := map[string]any{
		"id":          u.ID,
		"team_id":     s.cfg.teamID,
		"name":        u.Name,
		"real_name":   u.RealName,
		"deleted":     u.Deleted,
		"is_bot":      u.IsBot,
		"is_admin":    u.IsAdmin,
		"is_owner":    u.IsOwner,
		"is_app_user": false,
		"profile": map[string]any{
			"real_name":               u.RealName,
			"real_name_normalized":    u.RealName,
			"display_name":            display,
			"display_name_normalized": display,
			"team":                    s.cfg.teamID,
		},
		"updated": 1700000000,
	}
	if u.IsBot && u.ID == s.cfg.botUserID {
		m["profile"].(map[string]any)["bot_id"] = DefaultBotID
	}
	if u.TZ != "" {
		m["tz"] = u.TZ
		m["tz_label"], m["tz_offset"] = tzInfo(u.TZ)
	}
	return m
}

// tzInfo returns Slack's tz_label and tz_offset (seconds east of UTC, now).
func tzInfo(name string) (string, int) {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return name, 0
	}
	abbr, off := time.Now().In(loc).Zone()
	return abbr, off
}

func (s *Server) usersInfo(w http.ResponseWriter, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ids := req.str("users"); ids != "" && req.str("user") == "" {
		var out []map[string]any
		for id := range strings.SplitSeq(ids, ",") {
			u := s.users[strings.TrimSpace(id)]
			if u == nil {
				writeError(w, "user_not_found")
				return
			}
			out = append(out, s.userJSON(u))
		}
		writeOK(w, map[string]any{"users": out})
		return
	}
	u := s.users[req.str("user")]
	if u == nil {
		writeError(w, "user_not_found")
		return
	}
	writeOK(w, map[string]any{"user": s.userJSON(u)})
}

func (s *Server) usersList(w http.ResponseWriter, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start, end, next, code := paginate(len(s.userOrder), req, 200, 1000)
	if code != "" {
		writeError(w, code)
		return
	}
	members := make([]map[string]any, 0, end-start)
	for _, id := range s.userOrder[start:end] {
		members = append(members, s.userJSON(s.users[id]))
	}
	writeOK(w, map[string]any{
		"members":           members,
		"cache_ts":          time.Now().Unix(),
		"response_metadata": map[string]any{"next_cursor": next},
	})
}

// paginate applies cursor/limit pagination to n items. The cursor is opaque
// (base64, like Slack's); an undecodable one gives invalid_cursor.
func paginate(n int, req *request, def, max int) (start, end int, next, code string) {
	limit, ok := req.limit(def, max)
	if !ok {
		return 0, 0, "", "invalid_limit"
	}
	if c := req.str("cursor"); c != "" {
		b, err := base64.StdEncoding.DecodeString(c)
		rest, found := strings.CutPrefix(string(b), "next:")
		if err != nil || !found {
			return 0, 0, "", "invalid_cursor"
		}
		start, err = strconv.Atoi(rest)
		if err != nil || start < 0 || start > n {
			return 0, 0, "", "invalid_cursor"
		}
	}
	end = min(n, start+limit)
	if end < n {
		next = base64.StdEncoding.EncodeToString([]byte("next:" + strconv.Itoa(end)))
	}
	return start, end, next, ""
}

func (s *Server) channelJSON(c *channelState, numMembers bool) map[string]any {
	m := map[string]any{
		"id":              c.ID,
		"created":         c.created,
		"is_im":           c.isIM,
		"is_mpim":         c.isMPIM,
		"is_archived":     false,
		"context_team_id": s.cfg.teamID,
	}
	switch {
	case c.isIM:
		m["user"] = c.imUser
		m["is_open"] = true
		m["is_org_shared"] = false
	default:
		m["name"] = c.Name
		m["name_normalized"] = c.Name
		m["is_channel"] = !c.isMPIM
		m["is_group"] = false
		m["is_private"] = c.IsPrivate || c.isMPIM
		m["is_member"] = c.hasMember(s.cfg.botUserID)
		m["is_general"] = false
		m["is_shared"] = false
		m["is_ext_shared"] = false
		m["is_org_shared"] = false
	}
	if numMembers && !c.isIM {
		m["num_members"] = len(c.Members)
	}
	return m
}

func (s *Server) conversationsInfo(w http.ResponseWriter, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.visibleLocked(req.str("channel"))
	if c == nil {
		writeError(w, "channel_not_found")
		return
	}
	writeOK(w, map[string]any{"channel": s.channelJSON(c, req.flag("include_num_members"))})
}

func (s *Server) conversationsMembers(w http.ResponseWriter, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.visibleLocked(req.str("channel"))
	if c == nil {
		writeError(w, "channel_not_found")
		return
	}
	start, end, next, code := paginate(len(c.Members), req, 100, 1000)
	if code != "" {
		writeError(w, code)
		return
	}
	writeOK(w, map[string]any{
		"members":           slices.Clone(c.Members[start:end]),
		"response_metadata": map[string]any{"next_cursor": next},
	})
}

func (s *Server) conversationsOpen(w http.ResponseWriter, req *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var c *channelState
	existed := false
	switch {
	case req.str("channel") != "":
		c = s.channels[req.str("channel")]
		if c == nil || !(c.isIM || c.isMPIM) {
			writeError(w, "channel_not_found")
			return
		}
		existed = true
	case req.str("users") != "":
		var ids []string
		for id := range strings.SplitSeq(req.str("users"), ",") {
			id = strings.TrimSpace(id)
			u := s.users[id]
			switch {
			case u == nil:
				writeError(w, "user_not_found")
				return
			case u.Deleted:
				writeError(w, "user_disabled")
				return
			}
			if id != s.cfg.botUserID && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		switch len(ids) {
		case 0:
			writeError(w, "cannot_dm_bot")
			return
		case 1:
			_, existed = s.dms[ids[0]]
			c = s.dmLocked(ids[0])
		default:
			if len(ids) > 8 {
				writeError(w, "too_many_users")
				return
			}
			c, existed = s.mpimLocked(ids)
		}
	default:
		writeError(w, "users_list_not_supplied")
		return
	}
	ch := map[string]any{"id": c.ID}
	if req.flag("return_im") || !existed {
		ch = s.channelJSON(c, false)
	}
	writeOK(w, map[string]any{"channel": ch, "no_op": existed, "already_open": existed})
}

// mpimLocked finds or creates the group DM of the bot and ids.
func (s *Server) mpimLocked(ids []string) (*channelState, bool) {
	members := append(slices.Clone(ids), s.cfg.botUserID)
	slices.Sort(members)
	for _, cid := range s.chanOrder {
		c := s.channels[cid]
		if c.isMPIM && slices.Equal(c.Members, members) {
			return c, true
		}
	}
	c := &channelState{
		Channel: Channel{ID: s.nextIDLocked("G"), IsPrivate: true, Members: members},
		isMPIM:  true,
		created: time.Now().Unix(),
	}
	c.Name = "mpdm-" + strings.Join(members, "--")
	s.channels[c.ID] = c
	s.chanOrder = append(s.chanOrder, c.ID)
	s.bumpLocked()
	return c, false
}
