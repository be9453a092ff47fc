-- Moments as a staff calendar (h-moments): one post per staff member per content per period.
-- CreateTable
CREATE TABLE "moment_posts" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "workspace_id" TEXT NOT NULL,
    "staff_id" TEXT NOT NULL,
    "sender" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'waiting',
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    "period_seconds" INTEGER NOT NULL,
    "tag_id" TEXT,
    "tag_name" TEXT,
    "jobid" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "posted_at" TIMESTAMPTZ(3),
    "period_ends_at" TIMESTAMPTZ(3),
    "tag_removed_at" TIMESTAMPTZ(3),

    CONSTRAINT "moment_posts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "moment_post_members" (
    "post_id" TEXT NOT NULL,
    "delivery_key" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "external_user_id" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'joined',
    "error" TEXT,
    "joined_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "tagged_at" TIMESTAMPTZ(3),

    CONSTRAINT "moment_post_members_pkey" PRIMARY KEY ("post_id","delivery_key")
);

-- CreateIndex
CREATE INDEX "moment_posts_workspace_id_staff_id_content_created_at_idx" ON "moment_posts"("workspace_id", "staff_id", "content", "created_at");

-- CreateIndex
CREATE INDEX "moment_posts_status_next_attempt_at_idx" ON "moment_posts"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "moment_posts_staff_id_posted_at_idx" ON "moment_posts"("staff_id", "posted_at");

-- CreateIndex
CREATE UNIQUE INDEX "moment_post_members_delivery_key_key" ON "moment_post_members"("delivery_key");

-- CreateIndex
CREATE INDEX "moment_post_members_post_id_status_idx" ON "moment_post_members"("post_id", "status");

-- AddForeignKey
ALTER TABLE "moment_posts" ADD CONSTRAINT "moment_posts_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "moment_posts" ADD CONSTRAINT "moment_posts_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "staff"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "moment_post_members" ADD CONSTRAINT "moment_post_members_post_id_fkey" FOREIGN KEY ("post_id") REFERENCES "moment_posts"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Hand-written (Prisma cannot express partial indexes): one unpublished post per (workspace, staff, content),
-- so two workers assigning customers at once cannot open two posts for the same slot.
CREATE UNIQUE INDEX "moment_posts_open_key" ON "moment_posts"("workspace_id", "staff_id", "content") WHERE "status" IN ('waiting', 'posting');
