-- A customer's last interaction is read from their stored events (index on customer, time) instead
-- of being stamped on the customer row by every ingested event.

-- AlterTable
ALTER TABLE "customers" DROP COLUMN "last_event_at";

