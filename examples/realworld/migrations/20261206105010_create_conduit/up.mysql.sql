-- Written by `ormlet migrate diff --snapshot examples/realworld/schema.json` from the schema recorded in migrations.
-- Review it before running it.

CREATE TABLE IF NOT EXISTS `users` ( `id` bigint NOT NULL PRIMARY KEY AUTO_INCREMENT, `username` varchar(255) NOT NULL UNIQUE, `email` varchar(255) NOT NULL UNIQUE, `password_hash` longtext NOT NULL, `bio` longtext NULL, `image` longtext NULL );

CREATE TABLE IF NOT EXISTS `follows` ( `follower_id` bigint NOT NULL, `followee_id` bigint NOT NULL, PRIMARY KEY (`follower_id`, `followee_id`), CONSTRAINT `fk_follows_followee_id` FOREIGN KEY (`followee_id`) REFERENCES `users` (`id`), CONSTRAINT `fk_follows_follower_id` FOREIGN KEY (`follower_id`) REFERENCES `users` (`id`) );

CREATE INDEX `idx_follows_followee_id` ON `follows` (`followee_id`);

CREATE TABLE IF NOT EXISTS `articles` ( `id` bigint NOT NULL PRIMARY KEY AUTO_INCREMENT, `slug` varchar(255) NOT NULL UNIQUE, `title` longtext NOT NULL, `description` longtext NOT NULL, `body` longtext NOT NULL, `author_id` bigint NOT NULL, `created_at` datetime(6) NOT NULL, `updated_at` datetime(6) NOT NULL, CONSTRAINT `fk_articles_author_id` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) );

CREATE INDEX `idx_articles_author_id` ON `articles` (`author_id`);

CREATE INDEX `idx_articles_created_at` ON `articles` (`created_at`);

CREATE TABLE IF NOT EXISTS `tags` ( `id` bigint NOT NULL PRIMARY KEY AUTO_INCREMENT, `name` varchar(255) NOT NULL UNIQUE );

CREATE TABLE IF NOT EXISTS `article_tags` ( `article_id` bigint NOT NULL, `tag_id` bigint NOT NULL, PRIMARY KEY (`article_id`, `tag_id`), CONSTRAINT `fk_article_tags_article_id` FOREIGN KEY (`article_id`) REFERENCES `articles` (`id`), CONSTRAINT `fk_article_tags_tag_id` FOREIGN KEY (`tag_id`) REFERENCES `tags` (`id`) );

CREATE INDEX `idx_article_tags_tag_id` ON `article_tags` (`tag_id`);

CREATE TABLE IF NOT EXISTS `favorites` ( `user_id` bigint NOT NULL, `article_id` bigint NOT NULL, PRIMARY KEY (`user_id`, `article_id`), CONSTRAINT `fk_favorites_article_id` FOREIGN KEY (`article_id`) REFERENCES `articles` (`id`), CONSTRAINT `fk_favorites_user_id` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) );

CREATE INDEX `idx_favorites_article_id` ON `favorites` (`article_id`);

CREATE TABLE IF NOT EXISTS `comments` ( `id` bigint NOT NULL PRIMARY KEY AUTO_INCREMENT, `article_id` bigint NOT NULL, `author_id` bigint NOT NULL, `body` longtext NOT NULL, `created_at` datetime(6) NOT NULL, `updated_at` datetime(6) NOT NULL, CONSTRAINT `fk_comments_article_id` FOREIGN KEY (`article_id`) REFERENCES `articles` (`id`), CONSTRAINT `fk_comments_author_id` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) );

CREATE INDEX `idx_comments_article_id` ON `comments` (`article_id`);
