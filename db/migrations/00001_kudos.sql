-- +goose Up

-- Workspace-wide settings an admin can change from Slack or the CLI.
CREATE TABLE settings (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A cache of Slack user profiles: time zone (for allowances), bot and
-- deactivated flags, admin role, and the DM channel once known.
CREATE TABLE slack_users (
    user_id       text PRIMARY KEY,
    name          text NOT NULL DEFAULT '',
    real_name     text NOT NULL DEFAULT '',
    tz            text NOT NULL DEFAULT '',
    is_bot        boolean NOT NULL DEFAULT false,
    deleted       boolean NOT NULL DEFAULT false,
    is_admin      boolean NOT NULL DEFAULT false,
    dm_channel_id text NOT NULL DEFAULT '',
    fetched_at    timestamptz NOT NULL
);

-- Company values, used as hashtags on kudos.
CREATE TABLE kudos_values (
    name        text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    description text NOT NULL DEFAULT '',
    created_by  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE kudos (
    id               bigserial PRIMARY KEY,
    -- Derived from the inbound Slack delivery (trigger id, view id, event id),
    -- so a redelivered command or submission records nothing new.
    idempotency_key  text NOT NULL UNIQUE,
    giver_id         text NOT NULL,
    message          text NOT NULL,
    value            text NOT NULL DEFAULT '',
    is_private       boolean NOT NULL DEFAULT false,
    source           text NOT NULL CHECK (source IN ('command', 'modal', 'shortcut', 'reaction')),
    -- The calendar day in the giver's time zone that the allowance was charged to.
    giver_day        date NOT NULL,
    source_channel   text NOT NULL DEFAULT '',
    source_ts        text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    revoked_at       timestamptz
);
CREATE INDEX kudos_giver_created ON kudos (giver_id, created_at);
CREATE INDEX kudos_created ON kudos (created_at);
-- One live reaction kudos per giver and message.
CREATE UNIQUE INDEX kudos_one_reaction ON kudos (giver_id, source_channel, source_ts)
    WHERE source = 'reaction' AND revoked_at IS NULL;

CREATE TABLE kudos_recipients (
    kudos_id     bigint NOT NULL REFERENCES kudos (id) ON DELETE CASCADE,
    recipient_id text NOT NULL,
    PRIMARY KEY (kudos_id, recipient_id)
);
CREATE INDEX kudos_recipients_recipient ON kudos_recipients (recipient_id);

-- Allowance used per giver and day (in the giver's time zone). The single
-- conditional upsert in db/kudos.go makes over-spending impossible under
-- concurrency.
CREATE TABLE kudos_allowance_usage (
    giver_id text NOT NULL,
    day      date NOT NULL,
    used     integer NOT NULL CHECK (used >= 0),
    PRIMARY KEY (giver_id, day)
);

-- Which messages a kudos has produced, so a retried delivery job posts each once.
CREATE TABLE kudos_deliveries (
    kudos_id   bigint NOT NULL REFERENCES kudos (id) ON DELETE CASCADE,
    target     text NOT NULL,
    channel_id text NOT NULL DEFAULT '',
    message_ts text NOT NULL DEFAULT '',
    PRIMARY KEY (kudos_id, target)
);

-- Inbound Slack deliveries already handled (event ids, trigger ids, view
-- ids), with the answer given, so a redelivery is answered the same way and
-- acts once.
CREATE TABLE slack_inbound (
    key         text PRIMARY KEY,
    response    jsonb,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX slack_inbound_received ON slack_inbound (received_at);

-- +goose Down
DROP TABLE slack_inbound;
DROP TABLE kudos_deliveries;
DROP TABLE kudos_allowance_usage;
DROP TABLE kudos_recipients;
DROP TABLE kudos;
DROP TABLE kudos_values;
DROP TABLE slack_users;
DROP TABLE settings;
