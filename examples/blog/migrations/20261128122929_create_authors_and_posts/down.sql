-- Written by `ormlet migrate diff --snapshot examples/blog/schema.json` against sqlite.
-- Review it before running it.

DROP TABLE "posts";

DROP TABLE "authors";
