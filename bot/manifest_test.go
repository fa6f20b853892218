package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// manifestPath is the app manifest, relative to this package's directory.
var manifestPath = filepath.Join("..", "manifest.yaml")

// manifestSchemaPath is Slack's official manifest schema (slackapi/manifest-schema).
// It lives in shared/, beside the repository checkout, both for developers and in CI.
var manifestSchemaPath = filepath.Join("..", "..", "shared", "slack", "manifest.schema.json")

// TestManifestValidatesAgainstSlackSchema checks manifest.yaml against Slack's JSON schema.
func TestManifestValidatesAgainstSlackSchema(t *testing.T) {
	t.Parallel()
	schema := compileManifestSchema(t)
	doc := loadManifestJSON(t)
	if err := schema.Validate(doc); err != nil {
		t.Fatalf("%s does not validate against Slack's manifest schema:\n%v", manifestPath, err)
	}
}

// TestManifestSchemaRejectsBadManifests proves the validation above is not vacuous:
// the same schema, on the real manifest with one thing broken, must fail.
func TestManifestSchemaRejectsBadManifests(t *testing.T) {
	t.Parallel()
	schema := compileManifestSchema(t)

	tests := []struct {
		name   string
		mutate func(m map[string]any)
		// wantInError is a substring the validation error must contain.
		wantInError string
	}{
		{
			name: "slash command without description",
			mutate: func(m map[string]any) {
				delete(manifestFirstItem(t, m, "features", "slash_commands"), "description")
			},
			wantInError: "description",
		},
		{
			name: "slash command without leading slash",
			mutate: func(m map[string]any) {
				manifestFirstItem(t, m, "features", "slash_commands")["command"] = "kudos"
			},
			wantInError: "/features/slash_commands/0/command",
		},
		{
			name: "unknown shortcut type",
			mutate: func(m map[string]any) {
				manifestFirstItem(t, m, "features", "shortcuts")["type"] = "pinned"
			},
			wantInError: "/features/shortcuts/0/type",
		},
		{
			name: "shortcut name longer than 24 characters",
			mutate: func(m map[string]any) {
				manifestFirstItem(t, m, "features", "shortcuts")["name"] = strings.Repeat("k", 25)
			},
			wantInError: "/features/shortcuts/0/name",
		},
		{
			name: "unknown top-level key",
			mutate: func(m map[string]any) {
				m["feature"] = map[string]any{}
			},
			wantInError: "feature",
		},
		{
			name: "interactivity without is_enabled",
			mutate: func(m map[string]any) {
				delete(manifestObject(t, m, "settings", "interactivity"), "is_enabled")
			},
			wantInError: "is_enabled",
		},
		{
			name: "bot scopes not a list",
			mutate: func(m map[string]any) {
				manifestObject(t, m, "oauth_config", "scopes")["bot"] = "commands"
			},
			wantInError: "/oauth_config/scopes/bot",
		},
		{
			name: "missing display_information",
			mutate: func(m map[string]any) {
				delete(m, "display_information")
			},
			wantInError: "display_information",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := loadManifestJSON(t)
			m, ok := doc.(map[string]any)
			if !ok {
				t.Fatalf("manifest is a %T, want an object", doc)
			}
			tt.mutate(m)
			err := schema.Validate(doc)
			if err == nil {
				t.Fatalf("schema accepted a manifest with %s", tt.name)
			}
			if !strings.Contains(err.Error(), tt.wantInError) {
				t.Errorf("validation error does not mention %q:\n%v", tt.wantInError, err)
			}
		})
	}
}

// TestManifestMatchesCode checks that manifest.yaml declares exactly the Slack
// surface that bot/surface.go says the code handles, in both directions.
func TestManifestMatchesCode(t *testing.T) {
	t.Parallel()
	m := loadManifest(t)

	var commands, global, message, otherShortcuts []string
	for _, c := range m.Features.SlashCommands {
		commands = append(commands, c.Command)
		if c.ShouldEscape == nil || !*c.ShouldEscape {
			t.Errorf("slash command %s: should_escape must be true (the parsers expect <@U…> mentions, not raw @names)", c.Command)
		}
	}
	for _, s := range m.Features.Shortcuts {
		switch s.Type {
		case "global":
			global = append(global, s.CallbackID)
		case "message":
			message = append(message, s.CallbackID)
		default:
			otherShortcuts = append(otherShortcuts, s.CallbackID)
		}
	}
	if len(otherShortcuts) > 0 {
		t.Errorf("shortcuts of unknown type: %q", otherShortcuts)
	}

	var problems []string
	problems = append(problems, manifestSetDiff("slash command", commands, Commands)...)
	problems = append(problems, manifestSetDiff("global shortcut callback id", global, GlobalShortcuts)...)
	problems = append(problems, manifestSetDiff("message shortcut callback id", message, MessageShortcuts)...)
	problems = append(problems, manifestSetDiff("bot event", m.Settings.EventSubscriptions.BotEvents, BotEvents)...)
	problems = append(problems, manifestSetDiff("bot scope", m.OAuthConfig.Scopes.Bot, manifestSortedKeys(BotScopes))...)
	for _, p := range problems {
		t.Error(p)
	}

	if !m.Settings.Interactivity.IsEnabled {
		t.Error("settings.interactivity.is_enabled must be true: Hearth uses shortcuts, modals and buttons")
	}
	if slices.Contains(BotEvents, EventAppHomeOpened) && !m.Features.AppHome.HomeTabEnabled {
		t.Error("features.app_home.home_tab_enabled must be true: Hearth publishes a Home tab on app_home_opened")
	}
	if m.Settings.SocketModeEnabled == nil || !*m.Settings.SocketModeEnabled {
		t.Error("settings.socket_mode_enabled must be true: Socket Mode is Hearth's default transport")
	}
	// In Socket Mode Slack ignores request URLs; one left in the file means a
	// half-done switch to HTTP mode.
	if m.Settings.EventSubscriptions.RequestURL != "" {
		t.Error("settings.event_subscriptions.request_url is set, but Socket Mode uses no request URLs")
	}
	if m.Settings.Interactivity.RequestURL != "" {
		t.Error("settings.interactivity.request_url is set, but Socket Mode uses no request URLs")
	}
	for _, c := range m.Features.SlashCommands {
		if c.URL != "" {
			t.Errorf("slash command %s has a url, but Socket Mode uses no request URLs", c.Command)
		}
	}
}

// TestManifestSetDiff checks the comparison TestManifestMatchesCode relies on,
// so a broken comparison cannot make it pass.
func TestManifestSetDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		manifest, code []string
		want           []string
	}{
		{name: "equal, any order", manifest: []string{"b", "a"}, code: []string{"a", "b"}},
		{name: "both empty"},
		{
			name:     "missing from manifest",
			manifest: []string{"a"}, code: []string{"a", "b"},
			want: []string{`thing "b" is in bot/surface.go but missing from manifest.yaml`},
		},
		{
			name:     "extra in manifest",
			manifest: []string{"a", "c"}, code: []string{"a"},
			want: []string{`thing "c" is in manifest.yaml but not in bot/surface.go`},
		},
		{
			name:     "duplicate in manifest",
			manifest: []string{"a", "a"}, code: []string{"a"},
			want: []string{`thing "a" is declared 2 times in manifest.yaml`},
		},
		{
			name:     "manifest empty",
			manifest: nil, code: []string{"a"},
			want: []string{`thing "a" is in bot/surface.go but missing from manifest.yaml`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := manifestSetDiff("thing", tt.manifest, tt.code)
			if !slices.Equal(got, tt.want) {
				t.Errorf("manifestSetDiff(%q, %q) =\n%q\nwant\n%q", tt.manifest, tt.code, got, tt.want)
			}
		})
	}
}

// TestManifestSchemaRegexps checks the RE2 stand-ins for the schema's
// lookahead patterns against examples worked out from the original patterns.
func TestManifestSchemaRegexps(t *testing.T) {
	t.Parallel()
	const domain = `^(?![\.\-])([-a-z0-9\.])+([a-z0-9])$`
	tests := []struct {
		in   string
		want bool
	}{
		{"example.com", true},
		{"a-b.example.org", true},
		{"x1", true},
		{"a", false}, // the original needs two characters
		{".example.com", false},
		{"-example.com", false},
		{"example.com.", false},
		{"example-", false},
		{"Example.com", false},
		{"exa_mple.com", false},
		{"", false},
	}
	re, err := compileManifestRegexp(domain)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		if got := re.MatchString(tt.in); got != tt.want {
			t.Errorf("%s matches %q = %v, want %v", domain, tt.in, got, tt.want)
		}
	}
	if _, err := compileManifestRegexp(`^(?!x)y$`); err == nil {
		t.Error("an unknown lookahead pattern compiled; it must fail so it gets a reviewed rewrite")
	}
}

// manifestFile is the part of a Slack app manifest that the code cross-checks.
type manifestFile struct {
	Features struct {
		AppHome struct {
			HomeTabEnabled bool `yaml:"home_tab_enabled"`
		} `yaml:"app_home"`
		SlashCommands []struct {
			Command      string `yaml:"command"`
			URL          string `yaml:"url"`
			ShouldEscape *bool  `yaml:"should_escape"`
		} `yaml:"slash_commands"`
		Shortcuts []struct {
			Type       string `yaml:"type"`
			CallbackID string `yaml:"callback_id"`
		} `yaml:"shortcuts"`
	} `yaml:"features"`
	OAuthConfig struct {
		Scopes struct {
			Bot []string `yaml:"bot"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		EventSubscriptions struct {
			RequestURL string   `yaml:"request_url"`
			BotEvents  []string `yaml:"bot_events"`
		} `yaml:"event_subscriptions"`
		Interactivity struct {
			IsEnabled  bool   `yaml:"is_enabled"`
			RequestURL string `yaml:"request_url"`
		} `yaml:"interactivity"`
		SocketModeEnabled *bool `yaml:"socket_mode_enabled"`
	} `yaml:"settings"`
}

func loadManifest(t *testing.T) manifestFile {
	t.Helper()
	data := readManifestFile(t)
	var m manifestFile
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("parse %s: %v", manifestPath, err)
	}
	return m
}

// loadManifestJSON reads manifest.yaml as the JSON value Slack would see.
func loadManifestJSON(t *testing.T) any {
	t.Helper()
	doc, err := manifestYAMLToJSON(readManifestFile(t))
	if err != nil {
		t.Fatalf("%s: %v", manifestPath, err)
	}
	return doc
}

func readManifestFile(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(manifestPath)
	if err != nil {
		t.Fatalf("read the app manifest: %v", err)
	}
	return data
}

// compileManifestSchema compiles Slack's manifest schema. A missing schema is a
// failure, not a skip: skipping would let an invalid manifest through unnoticed.
func compileManifestSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	abs, err := filepath.Abs(manifestSchemaPath)
	if err != nil {
		t.Fatalf("resolve %s: %v", manifestSchemaPath, err)
	}
	data, err := os.ReadFile(abs)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Slack's manifest schema is missing at %s.\n"+
			"The tests expect shared/ beside the repository checkout (shared/slack/manifest.schema.json, "+
			"from slackapi/manifest-schema); without it manifest.yaml cannot be validated.", abs)
	}
	if err != nil {
		t.Fatalf("read Slack's manifest schema: %v", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse %s: %v", abs, err)
	}
	c := jsonschema.NewCompiler()
	c.UseRegexpEngine(compileManifestRegexp)
	if err := c.AddResource(abs, doc); err != nil {
		t.Fatalf("add %s: %v", abs, err)
	}
	schema, err := c.Compile(abs)
	if err != nil {
		t.Fatalf("compile %s: %v", abs, err)
	}
	return schema
}

// manifestRegexpRewrites maps the patterns in Slack's schema that Go's RE2 cannot
// compile (they use ECMAScript lookahead) to equivalent RE2 patterns.
var manifestRegexpRewrites = map[string]string{
	// unfurl_domains and outgoing_domains: lower-case letters, digits, '.' and '-',
	// at least two characters, neither starting with '.' or '-' nor ending with either.
	`^(?![\.\-])([-a-z0-9\.])+([a-z0-9])$`: `^[a-z0-9][-a-z0-9.]*[a-z0-9]$`,
}

// compileManifestRegexp compiles a schema pattern with Go's regexp, or with a
// known RE2 rewrite. An unknown pattern that RE2 cannot compile fails the
// compilation loudly rather than being silently skipped.
func compileManifestRegexp(pattern string) (jsonschema.Regexp, error) {
	re, err := regexp.Compile(pattern)
	if err == nil {
		return re, nil
	}
	if rewrite, ok := manifestRegexpRewrites[pattern]; ok {
		return regexp.Compile(rewrite)
	}
	return nil, fmt.Errorf("%w (add an RE2 equivalent to manifestRegexpRewrites in bot/manifest_test.go)", err)
}

// manifestYAMLToJSON converts a single YAML document to the value encoding/json would
// produce for the same data (objects, arrays, strings, json.Number, bools, nil).
func manifestYAMLToJSON(data []byte) (any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("parse YAML: %w", err)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("want exactly one YAML document")
	}
	v, err := manifestJSONCompatible(v, "")
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode as JSON: %w", err)
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

// manifestJSONCompatible rewrites what yaml.v3 decodes into types encoding/json accepts,
// refusing what JSON cannot express (non-string keys, unusual scalar types).
func manifestJSONCompatible(v any, path string) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			c, err := manifestJSONCompatible(e, path+"/"+k)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("%s: key %v is a %T, JSON keys are strings", path, k, k)
			}
			c, err := manifestJSONCompatible(e, path+"/"+ks)
			if err != nil {
				return nil, err
			}
			out[ks] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			c, err := manifestJSONCompatible(e, fmt.Sprintf("%s/%d", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case nil, bool, string, int, int64, uint64, float64:
		return v, nil
	default:
		return nil, fmt.Errorf("%s: YAML value of type %T has no JSON form", path, v)
	}
}

// manifestSetDiff describes how the manifest's list differs from the code's, both ways.
func manifestSetDiff(what string, inManifest, inCode []string) []string {
	var problems []string
	count := map[string]int{}
	for _, s := range inManifest {
		count[s]++
	}
	for _, s := range manifestSortedKeys(count) {
		if count[s] > 1 {
			problems = append(problems, fmt.Sprintf("%s %q is declared %d times in manifest.yaml", what, s, count[s]))
		}
	}
	code := map[string]bool{}
	for _, s := range inCode {
		code[s] = true
	}
	for _, s := range manifestSortedKeys(code) {
		if count[s] == 0 {
			problems = append(problems, fmt.Sprintf("%s %q is in bot/surface.go but missing from manifest.yaml", what, s))
		}
	}
	for _, s := range manifestSortedKeys(count) {
		if !code[s] {
			problems = append(problems, fmt.Sprintf("%s %q is in manifest.yaml but not in bot/surface.go", what, s))
		}
	}
	return problems
}

func manifestSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// manifestObject walks m along keys and returns the object found there.
func manifestObject(t *testing.T, m map[string]any, keys ...string) map[string]any {
	t.Helper()
	cur := m
	for _, k := range keys {
		next, ok := cur[k].(map[string]any)
		if !ok {
			t.Fatalf("manifest: %s is not an object", strings.Join(keys, "."))
		}
		cur = next
	}
	return cur
}

// manifestFirstItem returns the first object of the array at keys.
func manifestFirstItem(t *testing.T, m map[string]any, keys ...string) map[string]any {
	t.Helper()
	parent := manifestObject(t, m, keys[:len(keys)-1]...)
	arr, ok := parent[keys[len(keys)-1]].([]any)
	if !ok || len(arr) == 0 {
		t.Fatalf("manifest: %s is not a non-empty array", strings.Join(keys, "."))
	}
	item, ok := arr[0].(map[string]any)
	if !ok {
		t.Fatalf("manifest: %s[0] is not an object", strings.Join(keys, "."))
	}
	return item
}
