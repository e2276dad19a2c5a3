-- Written by `ormlet migrate diff` for the test suite's models.

ALTER TABLE `users` ADD COLUMN `karma` bigint NOT NULL DEFAULT (0);

ALTER TABLE `users` ADD COLUMN `bio` longtext NULL;

ALTER TABLE `posts` DROP COLUMN `likes`;

ALTER TABLE `posts` MODIFY COLUMN `title` varchar(255) NULL;

CREATE INDEX `idx_posts_title` ON `posts` (`title`);
