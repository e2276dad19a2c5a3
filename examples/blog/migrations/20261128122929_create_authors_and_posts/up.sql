-- Written by `ormlet migrate diff --snapshot examples/blog/schema.json` against sqlite.
-- Review it before running it.

CREATE TABLE IF NOT EXISTS "authors" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "name" text NOT NULL );

CREATE TABLE IF NOT EXISTS "posts" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "author_id" integer NOT NULL, "title" text NOT NULL, FOREIGN KEY ("author_id") REFERENCES "authors" ("id") );

CREATE INDEX IF NOT EXISTS "idx_posts_author_id" ON "posts" ("author_id");
