package questionbank

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"slices"
)

// ForRound returns the questions to ask a team in one pulse round: the
// agreement questions first, then the eNPS question when it is due.
//
// The result depends only on the bank, teamSeed (any stable per-team string,
// e.g. the team's id), roundNumber and perRound, so it can be recomputed at
// any time and tested. perRound is clamped to MinPerRound..MaxPerRound (3..5);
// a negative roundNumber counts as 0. Keep perRound constant for a team:
// changing it moves the team to a different point of its cycle (every
// question still comes back regularly from then on).
//
// How the rotation works:
//
//   - Each team gets its own order of the bank's non-eNPS questions, derived
//     from a SHA-256 hash of teamSeed, so teams see different questions in a
//     given week. The order spreads each theme evenly around the cycle (with a
//     per-team phase) and keeps any five neighbouring questions, wrapping
//     around the end, on different themes whenever the bank allows it (and
//     as far as it can when it does not, e.g. in a bank of mostly one theme).
//   - The team walks that order as a cycle, perRound questions a round, so it
//     is asked every question once before any repeats, and each question
//     comes back every (non-eNPS questions)/perRound rounds or so. Consecutive
//     questions are distinct (the bank has at least five), so a round never
//     repeats a question, and rarely repeats a theme.
//   - The eNPS question, if the bank has one, is asked in every round where
//     roundNumber % ENPSInterval equals the team's offset (0..12, from the
//     hash of teamSeed): four times in any 52 consecutive weekly rounds. It
//     takes one of the round's perRound places; the walk through the order
//     simply continues in the next round.
//
// Editing the bank (adding, removing or re-theming questions) changes the
// order; the rotation then continues from the same round number.
func (b *Bank) ForRound(teamSeed string, roundNumber int, perRound int) []Question {
	n := len(b.pool)
	if n == 0 {
		return nil
	}
	k := min(max(perRound, MinPerRound), MaxPerRound, n)
	r := max(roundNumber, 0)

	enpsRound, before := false, 0 // before: eNPS rounds among 0..r-1
	if b.enps >= 0 {
		off := ENPSOffset(teamSeed)
		enpsRound = r%ENPSInterval == off
		if r > off {
			before = (r-off-1)/ENPSInterval + 1
		}
	}
	take := k
	if enpsRound {
		take--
	}
	// Rounds 0..r-1 used r*k - before places in the cycle; start after them.
	start := ((r%n)*k%n - before%n + n) % n

	order := b.teamOrder(teamSeed)
	out := make([]Question, 0, k)
	for i := range take {
		out = append(out, b.questions[order[(start+i)%n]])
	}
	if enpsRound {
		out = append(out, b.questions[b.enps])
	}
	return out
}

// ENPSOffset returns the team's eNPS offset in 0..ENPSInterval-1: [Bank.ForRound]
// asks the eNPS question in the rounds whose number % ENPSInterval equals it.
func ENPSOffset(teamSeed string) int {
	return int(seedHash(teamSeed, "enps") % ENPSInterval)
}

// seedHash hashes a team seed with a purpose and labels into 64 bits. It uses
// SHA-256 so that the result never changes between Go versions or platforms.
func seedHash(seed string, parts ...string) uint64 {
	h := sha256.New()
	h.Write([]byte(seed))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	var sum [sha256.Size]byte
	return binary.BigEndian.Uint64(h.Sum(sum[:0]))
}

// teamOrder returns the team's cyclic order of the non-eNPS questions, as
// indexes into b.questions.
//
// Within a theme, questions are ordered by a per-team hash. Each theme with c
// questions gets a per-team phase u in [0,1), and its j-th question the ideal
// spot (j+u)/c of the way around the cycle, which spreads every theme evenly.
// A theme should not come back within its reach: MaxPerRound-1 positions, or
// less when it holds so many questions (c > n/MaxPerRound) that this is
// impossible. The order is filled greedily: at each position take, among the
// themes not used within their reach (counting positions at the start of the
// order, which follow the end when the cycle wraps), the one whose next spot
// comes first; if every remaining theme is that close, the one that oversteps
// its reach least. A repair pass then swaps questions to separate any
// same-theme pairs the greedy fill left within reach of each other.
func (b *Bank) teamOrder(seed string) []int {
	type group struct {
		id          int
		items       []int // indexes into b.questions, in this team's order
		phase       float64
		reach       int
		next        int
		first, last int // positions of the first and latest use, -1 if unused
	}
	n := len(b.pool)
	var groups []*group
	byTheme := map[string]*group{}
	for _, qi := range b.pool {
		t := b.questions[qi].Theme
		g := byTheme[t]
		if g == nil {
			g = &group{id: len(groups), phase: unit(seedHash(seed, "theme", t)), first: -1, last: -1}
			byTheme[t] = g
			groups = append(groups, g)
		}
		g.items = append(g.items, qi)
	}
	reach := make([]int, len(groups))
	for _, g := range groups {
		g.reach = min(MaxPerRound-1, n/len(g.items)-1)
		reach[g.id] = g.reach
		rank := make(map[int]uint64, len(g.items))
		for _, qi := range g.items {
			rank[qi] = seedHash(seed, "question", b.questions[qi].Key)
		}
		slices.SortFunc(g.items, func(x, y int) int {
			return cmp.Or(cmp.Compare(rank[x], rank[y]), cmp.Compare(b.questions[x].Key, b.questions[y].Key))
		})
	}
	spot := func(g *group) float64 { return (float64(g.next) + g.phase) / float64(len(g.items)) }

	order := make([]int, 0, n)
	themeAt := make([]int, 0, n) // group id at each position
	for pos := range n {
		var best *group
		bestSlack := math.MinInt
		for _, g := range groups {
			if g.next == len(g.items) {
				continue
			}
			// slack is how far g already sits from pos, either side
			// (cyclically), beyond its reach; any positive slack is as
			// good as another: then only the spot matters.
			slack := 1
			if g.first >= 0 {
				slack = min(1, min(pos-g.last, g.first+n-pos)-g.reach)
			}
			if best == nil || slack > bestSlack || (slack == bestSlack && spot(g) < spot(best)) {
				best, bestSlack = g, slack
			}
		}
		order = append(order, best.items[best.next])
		themeAt = append(themeAt, best.id)
		if best.first < 0 {
			best.first = pos
		}
		best.last = pos
		best.next++
	}
	repair(order, themeAt, reach)
	return order
}

// repair swaps entries of the cyclic order (and of themeAt, its theme ids)
// to reduce the weight of same-theme pairs within their theme's reach of
// each other, until none is left or no single swap helps. The greedy fill
// leaves few or none; this mops up the odd one near where the cycle wraps.
func repair(order, themeAt, reach []int) {
	n := len(order)
	const maxReach = MaxPerRound - 1
	// clashes weighs the same-theme positions within reach of p, either
	// side: the closer, the heavier (a neighbour outweighs all farther
	// clashes together).
	clashes := func(p int) int {
		c := 0
		for d := 1; d <= reach[themeAt[p]] && d < n; d++ {
			w := 1 << (maxReach - d)
			if themeAt[p] == themeAt[(p+d)%n] {
				c += w
			}
			if themeAt[p] == themeAt[(p-d+n)%n] {
				c += w
			}
		}
		return c
	}
	swap := func(i, j int) {
		order[i], order[j] = order[j], order[i]
		themeAt[i], themeAt[j] = themeAt[j], themeAt[i]
	}
	// Each accepted swap lowers the total weight of clashing pairs, a
	// non-negative integer, so the loop ends.
	for {
		improved := false
		for i := range n {
			if clashes(i) == 0 {
				continue
			}
			bestJ, bestDelta := -1, 0
			for j := range n {
				if themeAt[j] == themeAt[i] {
					continue
				}
				// Pairs involving neither i nor j are unchanged, and i and
				// j never clash with each other (different themes).
				before := clashes(i) + clashes(j)
				swap(i, j)
				if delta := clashes(i) + clashes(j) - before; delta < bestDelta {
					bestJ, bestDelta = j, delta
				}
				swap(i, j)
			}
			if bestJ >= 0 {
				swap(i, bestJ)
				improved = true
			}
		}
		if !improved {
			return
		}
	}
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }
