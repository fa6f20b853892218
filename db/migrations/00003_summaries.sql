-- +goose Up

-- Which published summary a closed round's answers went into. A small
-- team's rounds are pooled until at least k distinct people answered; each
-- round is counted in at most one published summary, so no two summaries
-- can be subtracted to reveal a smaller group.
ALTER TABLE pulse_rounds ADD COLUMN summarized_in bigint REFERENCES pulse_rounds (id) ON DELETE SET NULL;

-- When the round's summary was posted to the managers' channel.
ALTER TABLE pulse_rounds ADD COLUMN summary_posted_at timestamptz;

-- +goose Down
ALTER TABLE pulse_rounds DROP COLUMN summary_posted_at;
ALTER TABLE pulse_rounds DROP COLUMN summarized_in;
