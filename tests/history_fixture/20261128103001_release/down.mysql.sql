-- Written by `ormlet migrate diff` for the test suite's models.

ALTER TABLE `users` DROP COLUMN `karma`;

ALTER TABLE `users` DROP COLUMN `bio`;

DROP INDEX `idx_posts_title` ON `posts`;

ALTER TABLE `posts` ADD COLUMN `likes` bigint NOT NULL DEFAULT (0);

ALTER TABLE `posts` MODIFY COLUMN `title` longtext NOT NULL;
