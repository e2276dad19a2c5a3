-- Written by `ormlet migrate diff` for the test suite's models.

CREATE TABLE IF NOT EXISTS `users` ( `id` bigint NOT NULL PRIMARY KEY AUTO_INCREMENT, `email` varchar(255) NOT NULL UNIQUE, `display_name` varchar(255) NOT NULL, `age` int NULL );

CREATE INDEX `idx_users_display_name` ON `users` (`display_name`);

CREATE TABLE IF NOT EXISTS `posts` ( `id` bigint NOT NULL PRIMARY KEY AUTO_INCREMENT, `author_id` bigint NOT NULL, `title` longtext NOT NULL, `body` longtext NULL, `likes` bigint NOT NULL DEFAULT (0), CONSTRAINT `fk_posts_author_id` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) );

CREATE INDEX `idx_posts_author_id` ON `posts` (`author_id`);

CREATE TABLE IF NOT EXISTS `tags` ( `code` varchar(255) NOT NULL PRIMARY KEY, `label` longtext NOT NULL );

CREATE TABLE IF NOT EXISTS `kinds` ( `id` bigint NOT NULL PRIMARY KEY AUTO_INCREMENT, `tiny` tinyint NOT NULL, `small` smallint NOT NULL, `int` int NOT NULL, `big` bigint NOT NULL, `byte` smallint NOT NULL, `word` int NOT NULL, `dword` bigint NOT NULL, `single` float NOT NULL, `double` double NOT NULL, `flag` bool NOT NULL, `text` longtext NOT NULL, `bytes` longblob NOT NULL, `maybe_int` bigint NULL, `maybe_text` longtext NULL, `maybe_flag` bool NULL );

CREATE TABLE IF NOT EXISTS `labels` ( `id` bigint NOT NULL PRIMARY KEY AUTO_INCREMENT, `name` varchar(255) NOT NULL UNIQUE );

CREATE TABLE IF NOT EXISTS `post_labels` ( `post_id` bigint NOT NULL, `label_id` bigint NOT NULL, PRIMARY KEY (`post_id`, `label_id`), CONSTRAINT `fk_post_labels_label_id` FOREIGN KEY (`label_id`) REFERENCES `labels` (`id`), CONSTRAINT `fk_post_labels_post_id` FOREIGN KEY (`post_id`) REFERENCES `posts` (`id`) );
