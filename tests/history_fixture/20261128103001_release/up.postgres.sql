-- Written by `ormlet migrate diff` for the test suite's models.

ALTER TABLE "users" ADD COLUMN "karma" bigint NOT NULL DEFAULT (0);

ALTER TABLE "users" ADD COLUMN "bio" text NULL;

ALTER TABLE "posts" DROP COLUMN "likes";

ALTER TABLE "posts" ALTER COLUMN "title" DROP NOT NULL;

CREATE INDEX IF NOT EXISTS "idx_posts_title" ON "posts" ("title");
