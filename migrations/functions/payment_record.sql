-- The current source of payment_record, as the migrations define it (20261126000001_checkout_functions.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

-- The provider's view of a payment: its intent id, token and last four digits.
CREATE FUNCTION payment_record(
    p_order BIGINT, p_intent TEXT, p_status TEXT, p_amount BIGINT, p_captured BIGINT,
    p_refunded BIGINT, p_last4 TEXT, p_token TEXT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO payments (order_id, provider_intent, status, amount_minor, captured_minor,
                          refunded_minor, last4, card_token)
    VALUES (p_order, p_intent, p_status, p_amount, p_captured, p_refunded, p_last4, p_token)
    ON CONFLICT (provider_intent) DO UPDATE
       SET status = EXCLUDED.status, captured_minor = EXCLUDED.captured_minor,
           refunded_minor = EXCLUDED.refunded_minor, updated_at = now();
END $$;
