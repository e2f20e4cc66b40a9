-- Webhooks from the payment provider, each recorded once by its event id: a replay (the
-- provider delivers at least once) finds its id here and changes nothing.
CREATE TABLE payment_events (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    intent_id   TEXT NOT NULL,
    body        JSONB NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX payment_events_intent ON payment_events (intent_id, received_at);
