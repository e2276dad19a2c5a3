-- Written by `ormlet migrate diff` for the test suite's models.

ALTER TABLE "users" ADD COLUMN "karma" integer NOT NULL DEFAULT (0);

ALTER TABLE "users" ADD COLUMN "bio" text NULL;

CREATE TABLE IF NOT EXISTS "_ormlet_new_posts" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "author_id" integer NOT NULL, "title" text NULL, "body" text NULL, FOREIGN KEY ("author_id") REFERENCES "users" ("id") );

INSERT INTO "_ormlet_new_posts" ("id", "author_id", "title", "body") SELECT "id", "author_id", "title", "body" FROM "posts";

DROP TABLE "posts";

ALTER TABLE "_ormlet_new_posts" RENAME TO "posts";

CREATE INDEX IF NOT EXISTS "idx_posts_author_id" ON "posts" ("author_id");

CREATE INDEX IF NOT EXISTS "idx_posts_title" ON "posts" ("title");
