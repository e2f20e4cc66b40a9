-- Customers in the admin: found by the start of their address, and erased on request
-- (personal data removed or anonymised; their orders kept for the books).
ALTER TABLE users ADD COLUMN erased_at TIMESTAMPTZ;
CREATE INDEX users_email_prefix ON users (email text_pattern_ops);
