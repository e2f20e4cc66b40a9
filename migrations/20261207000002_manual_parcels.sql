-- Parcels shipped by hand: staff ship part or all of an order's packed parcel with their
-- own carrier and tracking number. Such a parcel is marked `manual` (the carrier's
-- tracker does not follow it; staff mark it delivered), and one warehouse may now send
-- an order several parcels, so the one-parcel-per-warehouse rule holds only for the
-- parcels allocation makes.
ALTER TABLE shipments ADD COLUMN manual BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE shipments DROP CONSTRAINT shipments_order_id_warehouse_id_key;
CREATE UNIQUE INDEX shipments_allocated ON shipments (order_id, warehouse_id) WHERE NOT manual;
CREATE INDEX shipments_order ON shipments (order_id);
