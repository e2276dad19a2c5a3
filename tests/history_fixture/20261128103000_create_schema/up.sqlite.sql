-- Written by `ormlet migrate diff` for the test suite's models.

CREATE TABLE IF NOT EXISTS "users" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "email" text NOT NULL UNIQUE, "display_name" text NOT NULL, "age" integer NULL );

CREATE INDEX IF NOT EXISTS "idx_users_display_name" ON "users" ("display_name");

CREATE TABLE IF NOT EXISTS "posts" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "author_id" integer NOT NULL, "title" text NOT NULL, "body" text NULL, "likes" integer NOT NULL DEFAULT (0), FOREIGN KEY ("author_id") REFERENCES "users" ("id") );

CREATE INDEX IF NOT EXISTS "idx_posts_author_id" ON "posts" ("author_id");

CREATE TABLE IF NOT EXISTS "tags" ( "code" text NOT NULL PRIMARY KEY, "label" text NOT NULL );

CREATE TABLE IF NOT EXISTS "kinds" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "tiny" tinyint NOT NULL, "small" smallint NOT NULL, "int" integer NOT NULL, "big" integer NOT NULL, "byte" smallint NOT NULL, "word" integer NOT NULL, "dword" integer NOT NULL, "single" float NOT NULL, "double" double NOT NULL, "flag" boolean NOT NULL, "text" text NOT NULL, "bytes" blob NOT NULL, "maybe_int" integer NULL, "maybe_text" text NULL, "maybe_flag" boolean NULL );

CREATE TABLE IF NOT EXISTS "labels" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "name" text NOT NULL UNIQUE );

CREATE TABLE IF NOT EXISTS "post_labels" ( "post_id" integer NOT NULL, "label_id" integer NOT NULL, PRIMARY KEY ("post_id", "label_id"), FOREIGN KEY ("label_id") REFERENCES "labels" ("id"), FOREIGN KEY ("post_id") REFERENCES "posts" ("id") );
