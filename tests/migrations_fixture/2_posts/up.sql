-- posts of users
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), title TEXT NOT NULL);
CREATE INDEX posts_user ON posts (user_id);
