package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-oss/hearth/db/dbtest"
)

// TestDemoWritesWhatManagersSaw runs `hearth demo` for a few weeks and
// reads its output folder: every summary as posted JSON, text and chart.
func TestDemoWritesWhatManagersSaw(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "demo")
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"demo", "--weeks", "3", "--out", out},
		env(map[string]string{"DATABASE_URL": dbtest.ServerURL()}), &stdout, io.Discard)
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, stdout.String())
	}
	if !strings.Contains(stdout.String(), "Wrote 9 manager summaries") {
		t.Fatalf("demo output:\n%s", stdout.String())
	}
	index, err := os.ReadFile(filepath.Join(out, "README.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// The five-person team shows the anonymity threshold at work.
	if !strings.Contains(string(index), "Crisis line — not enough responses to protect anonymity") {
		t.Errorf("index:\n%s", index)
	}
	for _, name := range []string{"residential-nursing-round-03", "outpatient-clinic-round-01", "crisis-line-round-02"} {
		for _, ext := range []string{".json", ".txt", ".png"} {
			info, err := os.Stat(filepath.Join(out, name+ext))
			if err != nil || info.Size() == 0 {
				t.Errorf("%s%s: %v", name, ext, err)
			}
		}
	}
	raw, err := os.ReadFile(filepath.Join(out, "residential-nursing-round-03.json"))
	if err != nil {
		t.Fatal(err)
	}
	var posted struct {
		Blocks []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal(raw, &posted); err != nil || len(posted.Blocks) == 0 || len(posted.Blocks) > 50 {
		t.Fatalf("posted blocks: %d, %v", len(posted.Blocks), err)
	}
	txt, err := os.ReadFile(filepath.Join(out, "crisis-line-round-02.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(txt), " of 5 people answered") && strings.Contains(string(txt), "Not enough responses") {
		t.Errorf("a suppressed summary shows a count:\n%s", txt)
	}
}
