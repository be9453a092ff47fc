-- Deliveries are written once per fired step by the scheduler, from the enrollment it holds
-- locked: their workspace and enrollment references cannot dangle, and each checked foreign key
-- costs a lookup per inserted row. The customer key stays (its deletion removes the deliveries);
-- an enrollment's past steps are read through the customer index.

-- DropForeignKey
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_enrollment_id_fkey";

-- DropForeignKey
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_workspace_id_fkey";

-- DropIndex
DROP INDEX "deliveries_enrollment_id_due_at_idx";
