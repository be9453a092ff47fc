-- Staff sessions (revocable staff tokens with refresh), per-staff revocation, and a column for the
-- sealed staff-token secret. Plaintext secrets in workspaces.settings->'tokenSecret' cannot be sealed
-- here (the key is not in the database): the gateway seals and removes them when it starts with
-- its secret key (src/auth/seal-token-secrets.ts); tokens signed with them stay valid.
-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN     "token_secret" TEXT;

-- AlterTable
ALTER TABLE "staff" ADD COLUMN     "tokens_valid_after" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "staff_sessions" (
    "id" TEXT NOT NULL DEFAULT (gen_random_uuid())::text,
    "workspace_id" TEXT NOT NULL,
    "staff_id" TEXT NOT NULL,
    "refresh_hash" TEXT NOT NULL,
    "previous_refresh_hash" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "refreshed_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "staff_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "staff_sessions_staff_id_idx" ON "staff_sessions"("staff_id");

-- AddForeignKey
ALTER TABLE "staff_sessions" ADD CONSTRAINT "staff_sessions_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "staff_sessions" ADD CONSTRAINT "staff_sessions_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "staff"("id") ON DELETE CASCADE ON UPDATE CASCADE;

