// Package kudostext parses the text of the /kudos slash command.
//
// Slack sends the text with should_escape true (see manifest.yaml): a
// mention that Slack resolved arrives as <@U012AB3CD> or <@U012AB3CD|jane>,
// a channel as <#C123|general>, a user group as <!subteam^S123|@team>,
// @here/@channel/@everyone as <!here>, <!channel>, <!everyone>, a link as
// <https://example.com/#a> or <https://example.com|label>, and a literal
// &, < or > as &amp;, &lt; or &gt;. A name Slack could not resolve stays as
// plain text, "@jane".
//
// Parse splits such text into a [Parsed]:
//
//   - Recipients: every user mention, in order of first appearance, without
//     duplicates. Only ids shaped like Slack user ids (U… or W…) count.
//   - Rejected: user-group, channel and @here/@channel/@everyone mentions,
//     shown as "@team", "#general", "@here", so the caller can explain that
//     kudos go to people, not groups.
//   - Unresolved: "@name" words Slack did not turn into mentions (and
//     malformed <@…> mentions), so the caller can ask who was meant.
//   - Message: the reason for the kudos. The leading list of recipients
//     (mentions and raw @names) is removed together with the separators
//     between them (spaces, commas, "and", "&") and punctuation closing it
//     (":", "-", "!"); so are all user, group, channel and broadcast mentions
//     elsewhere, which means the message can never ping anyone when it is
//     posted ("<@U1> for helping <@U2> with X" gives "helping with X";
//     U2 is a recipient). Then whitespace is
//     tidied (runs become one space, one line break or one blank line) and
//     a single leading "for" is dropped when something follows it, so
//     "<@U1> for covering my shift" gives "covering my shift": the caller
//     renders it as it likes ("for covering my shift", or as a quote).
//     Everything else stays as the giver wrote it and as Slack escaped it —
//     hashtags, emoji, links (<https://…|label>), @names after the list,
//     &amp; — so the message can be posted back as mrkdwn. A stray < or > that
//     is not part of a link is escaped, so removing mentions can never
//     assemble a new one.
//   - Values: the hashtags in Message, lower-cased, without '#', in order,
//     without duplicates. A hashtag is '#' followed by letters, digits, '_'
//     or '-' (trailing '-' and '_' are not part of it), containing at least
//     one letter, so "#1" or "ticket #4521" is not a value. The '#' must
//     start a word: "C#", ".../#fragment" and "&#39;" are not hashtags, and
//     neither is anything inside a link or a channel mention.
//   - Subcommand: when the first word is help, stats or leaderboard (any
//     case), Parse returns only the subcommand and ignores the rest.
//   - Empty: the text is empty or only white space (open the kudos modal).
//
// Parse never fails: any input, including invalid UTF-8 (replaced by
// U+FFFD) and control characters (dropped), gives a result whose strings
// are valid UTF-8, in time linear in the input. It enforces no limits (text
// length, number of recipients, allowance): callers do.
package kudostext
