-- Questions too long for their "more results" button (and for the answer's title), by hash, so
-- that any replica can page an answer another one gave. Old ones are pruned as new ones come.
CREATE TABLE questions (
    hash INTEGER PRIMARY KEY NOT NULL,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX questions_age ON questions (created_at);
