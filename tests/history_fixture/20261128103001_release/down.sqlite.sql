-- Written by `ormlet migrate diff` for the test suite's models.

CREATE TABLE IF NOT EXISTS "_ormlet_new_users" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "email" text NOT NULL UNIQUE, "display_name" text NOT NULL, "age" integer NULL );

INSERT INTO "_ormlet_new_users" ("id", "email", "display_name", "age") SELECT "id", "email", "display_name", "age" FROM "users";

DROP TABLE "users";

ALTER TABLE "_ormlet_new_users" RENAME TO "users";

CREATE INDEX IF NOT EXISTS "idx_users_display_name" ON "users" ("display_name");

CREATE TABLE IF NOT EXISTS "_ormlet_new_posts" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "author_id" integer NOT NULL, "title" text NOT NULL, "body" text NULL, "likes" integer NOT NULL DEFAULT (0), FOREIGN KEY ("author_id") REFERENCES "users" ("id") );

INSERT INTO "_ormlet_new_posts" ("id", "author_id", "title", "body") SELECT "id", "author_id", "title", "body" FROM "posts";

DROP TABLE "posts";

ALTER TABLE "_ormlet_new_posts" RENAME TO "posts";

CREATE INDEX IF NOT EXISTS "idx_posts_author_id" ON "posts" ("author_id");
