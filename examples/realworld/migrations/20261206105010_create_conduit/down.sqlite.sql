-- Written by `ormlet migrate diff --snapshot examples/realworld/schema.json` from the schema recorded in migrations.
-- Review it before running it.

DROP TABLE "comments";

DROP TABLE "favorites";

DROP TABLE "article_tags";

DROP TABLE "tags";

DROP TABLE "articles";

DROP TABLE "follows";

DROP TABLE "users";
