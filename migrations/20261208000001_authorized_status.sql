-- Payment in two steps (the setting `payments.capture = "manual"`): checkout only
-- authorizes the card and the order waits as `authorized`, its stock sold to it, until
-- staff capture the money (it is confirmed, then packed) or void the authorization (it
-- is cancelled and its stock goes back). This is where a review before capture (fraud
-- checks) holds an order.
--
-- A new enum value cannot be used in the transaction that adds it: the next migration
-- uses it.
ALTER TYPE order_status ADD VALUE 'authorized' AFTER 'payment_processing';
