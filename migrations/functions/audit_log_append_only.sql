-- The current source of audit_log_append_only, as the migrations define it (20261204000001_staff_audit.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: entries cannot be changed or removed'
        USING ERRCODE = 'MR010';
END $$;
