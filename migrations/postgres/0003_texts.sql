-- Each server's own texts (issue 28), Postgres flavour. Keep in step with ../sqlite/0003_texts.sql.
-- A text is kept whole (its bytes), so that any process sharing the database can build its index
-- from it; `hash` (SHA-256 of the bytes, hex) names the version a process has indexed.

-- One row per server that has (or had) texts of its own: `version` goes up with every text added
-- or removed, in the same transaction, so that every process sees a change by reading one row.
CREATE TABLE libraries (
    guild_id BIGINT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE texts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    -- The document id references use (`notes:2.3`), unique in the server.
    doc_id TEXT NOT NULL,
    title TEXT NOT NULL,
    -- As given with `/texts add language:`; NULL: read from the text.
    language TEXT,
    file_name TEXT NOT NULL,
    -- The format the content was read as (`text`, `markdown`, …).
    format TEXT NOT NULL,
    hash TEXT NOT NULL,
    size BIGINT NOT NULL,
    sections BIGINT NOT NULL,
    passages BIGINT NOT NULL,
    content BYTEA NOT NULL,
    added_by BIGINT NOT NULL,
    added_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX texts_one_id_per_guild ON texts (guild_id, doc_id);
