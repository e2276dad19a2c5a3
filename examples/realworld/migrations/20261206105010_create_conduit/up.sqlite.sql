-- Written by `ormlet migrate diff --snapshot examples/realworld/schema.json` from the schema recorded in migrations.
-- Review it before running it.

CREATE TABLE IF NOT EXISTS "users" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "username" text NOT NULL UNIQUE, "email" text NOT NULL UNIQUE, "password_hash" text NOT NULL, "bio" text NULL, "image" text NULL );

CREATE TABLE IF NOT EXISTS "follows" ( "follower_id" integer NOT NULL, "followee_id" integer NOT NULL, PRIMARY KEY ("follower_id", "followee_id"), FOREIGN KEY ("followee_id") REFERENCES "users" ("id"), FOREIGN KEY ("follower_id") REFERENCES "users" ("id") );

CREATE INDEX IF NOT EXISTS "idx_follows_followee_id" ON "follows" ("followee_id");

CREATE TABLE IF NOT EXISTS "articles" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "slug" text NOT NULL UNIQUE, "title" text NOT NULL, "description" text NOT NULL, "body" text NOT NULL, "author_id" integer NOT NULL, "created_at" timestamp_with_timezone_text NOT NULL, "updated_at" timestamp_with_timezone_text NOT NULL, FOREIGN KEY ("author_id") REFERENCES "users" ("id") );

CREATE INDEX IF NOT EXISTS "idx_articles_author_id" ON "articles" ("author_id");

CREATE INDEX IF NOT EXISTS "idx_articles_created_at" ON "articles" ("created_at");

CREATE TABLE IF NOT EXISTS "tags" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "name" text NOT NULL UNIQUE );

CREATE TABLE IF NOT EXISTS "article_tags" ( "article_id" integer NOT NULL, "tag_id" integer NOT NULL, PRIMARY KEY ("article_id", "tag_id"), FOREIGN KEY ("article_id") REFERENCES "articles" ("id"), FOREIGN KEY ("tag_id") REFERENCES "tags" ("id") );

CREATE INDEX IF NOT EXISTS "idx_article_tags_tag_id" ON "article_tags" ("tag_id");

CREATE TABLE IF NOT EXISTS "favorites" ( "user_id" integer NOT NULL, "article_id" integer NOT NULL, PRIMARY KEY ("user_id", "article_id"), FOREIGN KEY ("article_id") REFERENCES "articles" ("id"), FOREIGN KEY ("user_id") REFERENCES "users" ("id") );

CREATE INDEX IF NOT EXISTS "idx_favorites_article_id" ON "favorites" ("article_id");

CREATE TABLE IF NOT EXISTS "comments" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "article_id" integer NOT NULL, "author_id" integer NOT NULL, "body" text NOT NULL, "created_at" timestamp_with_timezone_text NOT NULL, "updated_at" timestamp_with_timezone_text NOT NULL, FOREIGN KEY ("article_id") REFERENCES "articles" ("id"), FOREIGN KEY ("author_id") REFERENCES "users" ("id") );

CREATE INDEX IF NOT EXISTS "idx_comments_article_id" ON "comments" ("article_id");
