-- Tracked links of one-to-many messages (a 群发助手 task, a Moments post): one row per message,
-- whose signed short links (/t/m.<token>) name the message instead of a delivery. An open by one
-- of its recipients (known through snsapi_base) becomes that customer's own tracked delivery; any
-- other open is counted anonymously in tracked_message_opens (metrics: opened, step/content/staff).

-- CreateTable
CREATE TABLE "tracked_messages" (
    "id" BIGSERIAL NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "ref" TEXT NOT NULL,
    "journey_key" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "step_id" TEXT NOT NULL,
    "content" TEXT,
    "channel" TEXT NOT NULL,
    "staff_id" TEXT NOT NULL,
    "links" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tracked_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tracked_message_opens" (
    "open_key" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "message_id" BIGINT NOT NULL,
    "link" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tracked_message_opens_pkey" PRIMARY KEY ("open_key")
);

-- CreateIndex
CREATE UNIQUE INDEX "tracked_messages_kind_ref_key" ON "tracked_messages"("kind", "ref");

-- CreateIndex
CREATE INDEX "tracked_message_opens_workspace_id_at_idx" ON "tracked_message_opens"("workspace_id", "at");

-- CreateIndex
CREATE INDEX "tracked_message_opens_workspace_id_received_at_idx" ON "tracked_message_opens"("workspace_id", "received_at");

-- AddForeignKey
ALTER TABLE "tracked_message_opens" ADD CONSTRAINT "tracked_message_opens_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "tracked_messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The anonymous share of each rollup row's `opened` (opened counts them too).
ALTER TABLE "metric_daily" ADD COLUMN "opened_anonymous" INTEGER NOT NULL DEFAULT 0;
