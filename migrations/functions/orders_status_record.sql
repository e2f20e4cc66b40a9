-- The current source of orders_status_record, as the migrations define it (20261205000001_history_jobs_reports.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

-- An import of past orders (`mercato.history` set in its transaction) writes each order
-- in the state it reached and its transitions at the times they happened, and wakes no
-- worker; every other writer goes through the state machine.
CREATE OR REPLACE FUNCTION orders_status_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_payload JSONB := jsonb_build_object('number', NEW.number);
BEGIN
    IF current_setting('mercato.history', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.status = 'payment_processing' THEN
        INSERT INTO order_transitions (order_id, from_status, to_status, actor, reason)
        VALUES (NEW.id, NULL, 'pending', mercato_actor(), NULL),
               (NEW.id, 'pending', 'payment_processing', 'checkout', NULL);
        INSERT INTO outbox (topic, aggregate_id, payload)
        VALUES ('order.pending', NEW.id::text, v_payload),
               ('order.payment_processing', NEW.id::text, v_payload);
    ELSIF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO order_transitions (order_id, from_status, to_status, actor, reason)
        VALUES (NEW.id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, NEW.status,
                mercato_actor(), nullif(current_setting('mercato.reason', true), ''));
        INSERT INTO outbox (topic, aggregate_id, payload)
        VALUES ('order.' || NEW.status::text, NEW.id::text, v_payload);
    END IF;
    RETURN NULL;
END $$;
