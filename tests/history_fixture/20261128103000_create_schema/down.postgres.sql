-- Written by `ormlet migrate diff` for the test suite's models.

DROP TABLE "post_labels";

DROP TABLE "labels";

DROP TABLE "kinds";

DROP TABLE "tags";

DROP TABLE "posts";

DROP TABLE "users";
