-- WeCom callbacks are stored before they are answered, so a stop between answer and processing loses none.

-- CreateTable
CREATE TABLE "wecom_callbacks" (
    "workspace_id" TEXT NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "event" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),

    CONSTRAINT "wecom_callbacks_pkey" PRIMARY KEY ("workspace_id","dedupe_key")
);

-- CreateIndex
CREATE INDEX "wecom_callbacks_workspace_id_processed_at_idx" ON "wecom_callbacks"("workspace_id", "processed_at");

-- AddForeignKey
ALTER TABLE "wecom_callbacks" ADD CONSTRAINT "wecom_callbacks_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

