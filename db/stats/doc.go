// Package stats holds the small statistics behind Hearth's anonymized team
// summaries: the mean of 1–5 agreement answers with a plain-language range,
// favourable shares and other proportions, the eNPS of 0–10 answers, the
// distribution of answers, and whether a change since the last period is
// notable or within normal variation.
//
// It is written for the case pulses actually meet: a team of 5 to 15 people
// of whom most answer. It depends on nothing but the standard library, and
// never returns NaN or an infinity, whatever it is given. It does not enforce
// the minimum group size: the db package must apply k before any number
// computed here leaves it.
//
// # Why the finite-population correction
//
// Textbook intervals assume the answers are a small sample from a very large
// population. Five answers from a team of eight are most of the population:
// the three who did not answer are all the average can still be wrong about.
// The finite-population correction √((N−n)/(N−1)) shrinks the standard error
// to account for that; when everyone answered the range collapses to the
// mean, which is then simply a fact about the team this week. Over every
// possible team of 8 answering on 1–5 and every 5 of its members who might
// answer, the corrected 95% t interval contains the team's mean 93% of the
// time and is over a quarter narrower than the uncorrected one, which
// contains it 96% of the time (TestMeanIntervalCoverage). The correction
// needs n distinct members of a known team: answers pooled over a rolling
// window may hold the same person twice, so callers pass no population there.
//
// # Why Wilson
//
// The usual p ± z·√(p(1−p)/n) is poor for small n and for shares near 0% or
// 100%, which is where small teams often are: with 5 of 5 favourable it
// gives a range of zero width, claiming certainty from five people. The
// Wilson score interval inverts the same normal test without that flaw: it
// stays inside [0, 1], keeps a sensible width at the extremes (5 of 5 gives
// 57%–100% at 95%) and holds its nominal coverage far better at small n
// (Brown, Cai & DasGupta 2001; Agresti & Coull 1998). eNPS is a difference of
// two shares from the same answers, so its range is built from the two
// Wilson intervals by the MOVER method (Zou & Donner 2008), which accounts for
// their negative correlation. Over a grid of true promoter and detractor
// shares its exact 95% coverage averages 95% from n = 5 to 30 (the plain
// Wald interval averages 80% at n = 5), on a par with the adjusted Wald
// interval that Rocks (2016) found among the best for NPS, with the
// advantage that the finite-population correction applies to it cleanly.
//
// # Two questions, two ranges
//
// "What does the team think this week?" is a question about a fixed, finite
// group, and the finite-population correction answers it. "Has something
// changed?" is a question about the process that produces the answers:
// people's weeks vary, and a census of a team of 8 two weeks running will
// still differ by chance. W. E. Deming called these enumerative and analytic
// studies; the correction belongs only to the first. So every Interval
// carries two descriptions of its uncertainty: Lower and Upper, corrected
// and clamped to the scale, for display; MarginBelow and MarginAbove,
// uncorrected and unclamped, which Change uses. Without this split, two
// census weeks would have ranges of zero width, and every wiggle would be
// called notable, precisely what the product must not do.
//
// # Why "bigger than the uncertainty" and not a significance test
//
// At n = 5 a significance test has little power and its p-value invites
// misreading: "not significant" is read as "nothing changed", "p < 0.05" as
// "important" (Culture Amp makes the same point). Change
// reports the difference itself with its range, and calls it notable only
// when that range excludes zero (the difference is bigger than the combined
// uncertainty of the two periods) or when it reaches the known meaningful
// change of a validated instrument. Otherwise it is "within normal
// variation", which does not claim that nothing changed: honest for a team
// of 8, where one person moving from 2 to 4 shifts the mean by 0.25. The
// size of the change stays in view, which is what a manager acts on.
//
// The arithmetic is close to a two-sample test at the same level, and the
// rule shares its false alarms: when nothing has changed, some comparisons
// still come out notable by chance. The uncertainty it uses is the
// conservative one (no finite-population correction, no credit for the same
// people answering both periods), so the rate stays below the nominal 5% at
// 95%: 0–4% in simulations of unchanged teams of 5 and 8
// (TestChangeFalseAlarms). A renderer should still present "notable" as a
// prompt to look closer, not as a finding.
//
// # Numbers
//
// Student's t quantile is computed here, not looked up: closed forms for 1
// and 2 degrees of freedom, and otherwise a Cornish–Fisher start refined by
// Newton's method against the regularized incomplete beta function. For 1 to
// 1000 degrees of freedom at 80, 90, 95 and 99% it agrees with 30-digit
// reference values (testdata/student_t.txt) to a relative 1e-10, far inside
// the 1e-6 a printed table offers. The normal quantile comes from
// math.Erfinv.
package stats
