-- The current source of orders_status_guard, as the migrations define it (20261205000001_history_jobs_reports.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

-- An import of past orders (`mercato.history` set in its transaction) writes each order
-- in the state it reached and its transitions at the times they happened, and wakes no
-- worker; every other writer goes through the state machine.
CREATE OR REPLACE FUNCTION orders_status_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('mercato.history', true) = 'on' THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.status NOT IN ('pending', 'payment_processing') THEN
        RAISE EXCEPTION 'an order starts as pending, not %', NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'order_status_transition';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status
       AND NOT EXISTS (SELECT 1 FROM order_status_transitions
                        WHERE from_status = OLD.status AND to_status = NEW.status) THEN
        RAISE EXCEPTION 'an order cannot go from % to %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'order_status_transition';
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END $$;
