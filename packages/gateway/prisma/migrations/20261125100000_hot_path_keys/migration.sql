-- Fewer index entries and key checks per row on the two hot paths (the scheduler writes a delivery
-- per fired step; event ingest writes an event and stamps its customer per event):
-- deliveries lose their last foreign key (the scheduler writes them from the enrollment it holds
-- locked); an event's key is the caller's (workspace, event id) instead of a generated id plus a
-- unique index, and only its customer is checked; customers.last_event_at loses its unused index.

-- DropForeignKey
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_customer_id_fkey";

-- DropForeignKey
ALTER TABLE "events" DROP CONSTRAINT "events_workspace_id_fkey";

-- DropIndex
DROP INDEX "customers_workspace_id_last_event_at_idx";

-- DropIndex
DROP INDEX "events_workspace_id_event_id_key";

-- AlterTable
ALTER TABLE "events" DROP CONSTRAINT "events_pkey",
DROP COLUMN "id",
ADD CONSTRAINT "events_pkey" PRIMARY KEY ("workspace_id", "event_id");
