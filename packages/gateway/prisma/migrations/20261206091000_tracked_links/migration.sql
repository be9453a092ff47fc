-- Tracked content: one row per delivery rendered with signed short links (/t/<token>). The token
-- holds the row's id and a link index under an HMAC; the links are stored as rendered.

-- CreateTable
CREATE TABLE "tracked_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "delivery_key" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "journey_key" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "step_id" TEXT NOT NULL,
    "content" TEXT,
    "links" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tracked_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "tracked_deliveries_delivery_key_key" ON "tracked_deliveries"("delivery_key");
