-- +goose Up

-- A team: a member channel whose people are pulsed, where its summary goes,
-- when rounds open, and its privacy settings.
CREATE TABLE teams (
    id                  bigserial PRIMARY KEY,
    channel_id          text NOT NULL UNIQUE,
    summary_channel_id  text NOT NULL,
    schedule            text NOT NULL,
    open_for_seconds    integer NOT NULL DEFAULT 259200 CHECK (open_for_seconds BETWEEN 3600 AND 1209600),
    -- NULL: no reminder.
    remind_after_seconds integer CHECK (remind_after_seconds > 0 AND remind_after_seconds < open_for_seconds),
    questions_per_round integer NOT NULL DEFAULT 4 CHECK (questions_per_round BETWEEN 3 AND 5),
    min_group           integer NOT NULL DEFAULT 5 CHECK (min_group BETWEEN 3 AND 10),
    paused              boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now()
);

-- One pulse round of a team. (team_id, scheduled_for) is unique: however
-- many replicas try, a scheduled time opens one round.
CREATE TABLE pulse_rounds (
    id            bigserial PRIMARY KEY,
    team_id       bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    number        integer NOT NULL,
    scheduled_for timestamptz NOT NULL,
    opened_at     timestamptz NOT NULL,
    closes_at     timestamptz NOT NULL,
    remind_at     timestamptz,
    closed_at     timestamptz,
    -- The questions asked, as they were worded then.
    questions     jsonb NOT NULL,
    member_count  integer NOT NULL,
    UNIQUE (team_id, scheduled_for),
    UNIQUE (team_id, number)
);
CREATE UNIQUE INDEX pulse_rounds_one_open ON pulse_rounds (team_id) WHERE closed_at IS NULL;

-- Participation: who was asked in a round, whether their DM and reminder
-- went out, and whether they answered. It never holds an answer.
CREATE TABLE pulse_recipients (
    round_id        bigint NOT NULL REFERENCES pulse_rounds (id) ON DELETE CASCADE,
    user_id         text NOT NULL,
    dm_channel_id   text NOT NULL DEFAULT '',
    dm_ts           text NOT NULL DEFAULT '',
    -- Set before a DM is posted, so a retry after a crash looks in Slack
    -- for the DM (by its metadata) before posting again.
    dm_attempted    boolean NOT NULL DEFAULT false,
    delivery        text NOT NULL DEFAULT 'pending' CHECK (delivery IN ('pending', 'sent', 'failed')),
    failure         text NOT NULL DEFAULT '',
    remind_ts       text NOT NULL DEFAULT '',
    remind_attempted boolean NOT NULL DEFAULT false,
    answered        boolean NOT NULL DEFAULT false,
    PRIMARY KEY (round_id, user_id)
);

-- Answers of an open round, pooled in a few shared rows per round. Each
-- submission rewrites one pooled row with its answers placed at a random
-- position, so neither row order nor a row's transaction id ties a person's
-- participation to their answers. At close the pool is written out to
-- pulse_responses in shuffled order and deleted.
CREATE TABLE pulse_pool (
    round_id bigint NOT NULL REFERENCES pulse_rounds (id) ON DELETE CASCADE,
    slot     integer NOT NULL,
    answers  jsonb NOT NULL DEFAULT '[]',
    comments jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (round_id, slot)
);

-- A closed round's responses: a random id, the round, and the answers. No
-- user, no time, and rows written in shuffled order.
CREATE TABLE pulse_responses (
    id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    round_id bigint NOT NULL REFERENCES pulse_rounds (id) ON DELETE CASCADE,
    answers  jsonb NOT NULL
);
CREATE INDEX pulse_responses_round ON pulse_responses (round_id);

-- Comments are kept apart from scores, so none can be tied to an answer.
CREATE TABLE pulse_comments (
    id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    round_id bigint NOT NULL REFERENCES pulse_rounds (id) ON DELETE CASCADE,
    body     text NOT NULL
);
CREATE INDEX pulse_comments_round ON pulse_comments (round_id);

-- People who chose not to receive pulses.
CREATE TABLE pulse_optouts (
    user_id    text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Shared pacing of Slack posts across replicas: the next free slot.
CREATE TABLE slack_pacing (
    name    text PRIMARY KEY,
    next_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE slack_pacing;
DROP TABLE pulse_optouts;
DROP TABLE pulse_comments;
DROP TABLE pulse_responses;
DROP TABLE pulse_pool;
DROP TABLE pulse_recipients;
DROP TABLE pulse_rounds;
DROP TABLE teams;
