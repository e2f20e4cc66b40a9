-- Stock moved between warehouses from the admin: one ledger row out of one warehouse and
-- one into the other, of their own kind.
ALTER TYPE stock_movement_kind ADD VALUE IF NOT EXISTS 'transfer';
