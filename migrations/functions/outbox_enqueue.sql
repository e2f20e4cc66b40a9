-- The current source of outbox_enqueue, as the migrations define it (20261122000002_search_outbox.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

-- One event per aggregate per transaction: an import that touches a product's variants,
-- images and attributes bumps its row many times but says "changed" once.
CREATE FUNCTION outbox_enqueue(p_topic TEXT, p_aggregate TEXT, p_payload JSONB) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (topic, aggregate_id, payload)
    SELECT p_topic, p_aggregate, p_payload
    WHERE NOT EXISTS (
        SELECT 1 FROM outbox
        WHERE txid = pg_current_xact_id() AND topic = p_topic AND aggregate_id = p_aggregate
    );
END $$;
