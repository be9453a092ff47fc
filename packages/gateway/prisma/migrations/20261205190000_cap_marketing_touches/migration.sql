-- One frequency cap across journeys: a row per customer with the times of their planned marketing
-- touches, locked and read in one statement per scheduler batch (src/engine/marketing-cap.ts).
-- CreateTable
CREATE TABLE "marketing_touches" (
    "customer_id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "times" TIMESTAMPTZ(3)[],

    CONSTRAINT "marketing_touches_pkey" PRIMARY KEY ("customer_id")
);
