package questionbank

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func seeds(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("T%07d-team-%d", 1000+i*37, i)
	}
	return out
}

func keys(qs []Question) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.Key
	}
	return out
}

// poolSize is the number of non-eNPS questions in b.
func poolSize(b *Bank) int {
	n := 0
	for _, q := range b.Questions() {
		if !q.IsENPS() {
			n++
		}
	}
	return n
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// smallBank has no eNPS question and few themes, to exercise the edges.
func smallBank(t *testing.T, n int) *Bank {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("questions:\n")
	themes := []string{"wellness", "workload"}
	for i := range n {
		fmt.Fprintf(&sb, "  - {key: q%d, theme: %s, text: Question %d.}\n", i, themes[i%len(themes)], i)
	}
	b, err := Load(strings.NewReader(sb.String()), "small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestForRoundDeterministic(t *testing.T) {
	again, err := Load(strings.NewReader(string(DefaultYAML())), "again.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, seed := range seeds(5) {
		for r := range 60 {
			for k := MinPerRound; k <= MaxPerRound; k++ {
				a := keys(Default().ForRound(seed, r, k))
				b := keys(Default().ForRound(seed, r, k))
				c := keys(again.ForRound(seed, r, k))
				if !slices.Equal(a, b) || !slices.Equal(a, c) {
					t.Fatalf("ForRound(%q, %d, %d) not deterministic: %v, %v, %v", seed, r, k, a, b, c)
				}
			}
		}
	}
	// Pinned rounds of a fixed bank, so that an accidental change to the
	// rotation (which would reshuffle every team's questions) is noticed.
	small := smallBank(t, 7)
	var got []string
	for r := range 4 {
		got = append(got, strings.Join(keys(small.ForRound("team-1", r, 3)), ","))
	}
	want := []string{"q1,q4,q0", "q5,q6,q3", "q2,q1,q4", "q0,q5,q6"}
	if !slices.Equal(got, want) {
		t.Errorf("rotation changed:\n got %q\nwant %q", got, want)
	}
}

func TestForRoundTeamsDiffer(t *testing.T) {
	firstRounds := map[string]bool{}
	offsets := map[int]bool{}
	for _, seed := range seeds(20) {
		firstRounds[strings.Join(keys(Default().ForRound(seed, 1, 4)), ",")] = true
		offsets[ENPSOffset(seed)] = true
	}
	if len(firstRounds) < 15 {
		t.Errorf("20 teams got only %d different first rounds", len(firstRounds))
	}
	if len(offsets) < 5 {
		t.Errorf("20 teams got only %d different eNPS offsets", len(offsets))
	}
}

func TestForRoundSizeAndClamp(t *testing.T) {
	b := Default()
	seed := "size"
	off := ENPSOffset(seed)
	plain := off + 1 // a round without eNPS
	for _, tt := range []struct{ perRound, want int }{{-1, 3}, {0, 3}, {1, 3}, {3, 3}, {4, 4}, {5, 5}, {6, 5}, {100, 5}} {
		if got := len(b.ForRound(seed, plain, tt.perRound)); got != tt.want {
			t.Errorf("perRound %d: %d questions, want %d", tt.perRound, got, tt.want)
		}
		qs := b.ForRound(seed, off+ENPSInterval, tt.perRound)
		if len(qs) != tt.want || !qs[len(qs)-1].IsENPS() {
			t.Errorf("perRound %d, eNPS round: %v, want %d questions ending with eNPS", tt.perRound, keys(qs), tt.want)
		}
		for _, q := range qs[:len(qs)-1] {
			if q.IsENPS() {
				t.Errorf("eNPS asked twice: %v", keys(qs))
			}
		}
	}
	if !slices.Equal(keys(b.ForRound(seed, -5, 4)), keys(b.ForRound(seed, 0, 4))) {
		t.Error("a negative round number should count as round 0")
	}
	if got := (&Bank{enps: -1}).ForRound(seed, 0, 3); got != nil {
		t.Errorf("empty bank: %v", got)
	}
}

func TestForRoundNoDuplicates(t *testing.T) {
	banks := map[string]*Bank{"default": Default(), "small5": smallBank(t, 5), "small7": smallBank(t, 7)}
	for name, b := range banks {
		for _, seed := range seeds(10) {
			for k := MinPerRound; k <= MaxPerRound; k++ {
				for r := range 120 {
					qs := b.ForRound(seed, r, k)
					seen := map[string]bool{}
					for _, q := range qs {
						if seen[q.Key] {
							t.Fatalf("%s: ForRound(%q, %d, %d) repeats %q: %v", name, seed, r, k, q.Key, keys(qs))
						}
						seen[q.Key] = true
					}
				}
			}
		}
	}
}

// TestForRoundDistinctThemes: the default bank has enough themes that no
// round should ever ask two questions on the same theme.
func TestForRoundDistinctThemes(t *testing.T) {
	b := Default()
	for _, seed := range seeds(30) {
		for k := MinPerRound; k <= MaxPerRound; k++ {
			for r := range 2 * poolSize(b) {
				qs := b.ForRound(seed, r, k)
				seen := map[string]bool{}
				for _, q := range qs {
					if seen[q.Theme] {
						t.Fatalf("ForRound(%q, %d, %d) asks theme %q twice: %v", seed, r, k, q.Theme, keys(qs))
					}
					seen[q.Theme] = true
				}
			}
		}
	}
	// The same, for many more teams, straight from their cyclic orders: any
	// MaxPerRound neighbours (wrapping around) have different themes.
	for _, seed := range seeds(3000) {
		order := b.teamOrder(seed)
		n := len(order)
		for i := range n {
			for d := 1; d < MaxPerRound; d++ {
				if a, c := b.questions[order[i]], b.questions[order[(i+d)%n]]; a.Theme == c.Theme {
					t.Fatalf("seed %q: %s and %s (theme %s) are %d apart in the order", seed, a.Key, c.Key, a.Theme, d)
				}
			}
		}
	}
}

// TestTeamOrderSpreadsThemes: even a lopsided bank gets its themes spread
// out as far as they can be (no two neighbours share a theme here).
func TestTeamOrderSpreadsThemes(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("questions:\n")
	// 6 of wellness, 3 of workload, 3 of safety: 12 questions.
	themes := []string{"wellness", "wellness", "workload", "wellness", "safety", "wellness", "workload", "wellness", "safety", "wellness", "workload", "safety"}
	for i, th := range themes {
		fmt.Fprintf(&sb, "  - {key: q%d, theme: %s, text: Question %d.}\n", i, th, i)
	}
	b, err := Load(strings.NewReader(sb.String()), "lopsided.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, seed := range seeds(200) {
		order := b.teamOrder(seed)
		for i := range order {
			if a, c := b.questions[order[i]], b.questions[order[(i+1)%len(order)]]; a.Theme == c.Theme {
				t.Fatalf("seed %q: neighbours %s and %s share theme %s", seed, a.Key, c.Key, a.Theme)
			}
		}
	}
}

// TestForRoundCyclesWholeBank: the non-eNPS questions, read round after
// round, run through the whole bank before any repeats, in a fixed order.
func TestForRoundCyclesWholeBank(t *testing.T) {
	b := Default()
	n := poolSize(b)
	for _, seed := range seeds(10) {
		for k := MinPerRound; k <= MaxPerRound; k++ {
			var stream []string
			for r := 0; len(stream) < 3*n; r++ {
				for _, q := range b.ForRound(seed, r, k) {
					if !q.IsENPS() {
						stream = append(stream, q.Key)
					}
				}
			}
			cycle := stream[:n]
			sorted := slices.Sorted(slices.Values(cycle))
			if len(slices.Compact(sorted)) != n {
				t.Fatalf("seed %q, perRound %d: the first %d questions are not the whole bank", seed, k, n)
			}
			for i := n; i < len(stream); i++ {
				if stream[i] != stream[i-n] {
					t.Fatalf("seed %q, perRound %d: question %d is %s, want %s (the order should repeat)", seed, k, i, stream[i], stream[i-n])
				}
			}
		}
	}
}

// TestForRoundCoverage: within ceil(n/perRound) consecutive rounds every
// question is asked — one round more when the window holds an eNPS round,
// since eNPS then takes one of the places.
func TestForRoundCoverage(t *testing.T) {
	banks := map[string]*Bank{"default": Default(), "small5": smallBank(t, 5), "small12": smallBank(t, 12)}
	for name, b := range banks {
		n := poolSize(b)
		for _, seed := range seeds(6) {
			off := ENPSOffset(seed)
			_, hasENPS := b.ENPS()
			for k := MinPerRound; k <= MaxPerRound; k++ {
				for start := range 60 {
					w := ceilDiv(n, k)
					if hasENPS {
						for r := start; r < start+w; r++ {
							if r%ENPSInterval == off {
								w++
								break
							}
						}
					}
					asked := map[string]bool{}
					for r := start; r < start+w; r++ {
						for _, q := range b.ForRound(seed, r, k) {
							asked[q.Key] = true
						}
					}
					for _, q := range b.Questions() {
						if !q.IsENPS() && !asked[q.Key] {
							t.Fatalf("%s, seed %q, perRound %d: %q not asked in rounds %d..%d", name, seed, k, q.Key, start, start+w-1)
						}
					}
				}
			}
		}
	}
}

// TestForRoundRepeatInterval: each question comes back about every
// n/perRound rounds — never much sooner, never much later.
func TestForRoundRepeatInterval(t *testing.T) {
	b := Default()
	n := poolSize(b)
	for _, seed := range seeds(10) {
		for k := MinPerRound; k <= MaxPerRound; k++ {
			last := map[string]int{}
			maxGap, minGap := 0, 1<<30
			for r := range 300 {
				for _, q := range b.ForRound(seed, r, k) {
					if q.IsENPS() {
						continue
					}
					if prev, ok := last[q.Key]; ok {
						maxGap, minGap = max(maxGap, r-prev), min(minGap, r-prev)
					} else if r > ceilDiv(n, k) {
						t.Errorf("seed %q, perRound %d: %q first asked in round %d", seed, k, q.Key, r)
					}
					last[q.Key] = r
				}
			}
			if hi := ceilDiv(n, k) + 1; maxGap > hi {
				t.Errorf("seed %q, perRound %d: a question waited %d rounds, want <= %d", seed, k, maxGap, hi)
			}
			if lo := n/k - 1; minGap < lo {
				t.Errorf("seed %q, perRound %d: a question came back after %d rounds, want >= %d", seed, k, minGap, lo)
			}
		}
	}
}

func TestForRoundENPSFrequency(t *testing.T) {
	b := Default()
	for _, seed := range seeds(30) {
		off := ENPSOffset(seed)
		if off < 0 || off >= ENPSInterval {
			t.Fatalf("ENPSOffset(%q) = %d", seed, off)
		}
		for _, start := range []int{0, 1, 7, 40, 1000} {
			count := 0
			for r := start; r < start+52; r++ {
				qs := b.ForRound(seed, r, 4)
				has := slices.ContainsFunc(qs, Question.IsENPS)
				if has != (r%ENPSInterval == off) {
					t.Errorf("seed %q round %d: eNPS asked = %v, offset %d", seed, r, has, off)
				}
				if has {
					count++
				}
			}
			if count != 4 {
				t.Errorf("seed %q: eNPS asked %d times in rounds %d..%d, want 4", seed, count, start, start+51)
			}
		}
	}
	// A bank without an eNPS question never asks one, and keeps full rounds.
	small := smallBank(t, 6)
	for r := range 52 {
		if qs := small.ForRound("x", r, 3); len(qs) != 3 || slices.ContainsFunc(qs, Question.IsENPS) {
			t.Fatalf("round %d: %v", r, keys(qs))
		}
	}
}

func TestForRoundHugeRoundNumber(t *testing.T) {
	// No overflow or panic far into the future.
	const r = 1<<62 + 12345
	qs := Default().ForRound("team", r, 5)
	if len(qs) != 5 {
		t.Errorf("round %d: %v", r, keys(qs))
	}
}
