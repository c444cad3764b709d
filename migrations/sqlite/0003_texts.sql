-- Each server's own texts (issue 28), SQLite flavour. Keep in step with ../postgres/0003_texts.sql.
-- A text is kept whole (its bytes), so that any process sharing the database can build its index
-- from it; `hash` (SHA-256 of the bytes, hex) names the version a process has indexed.

-- One row per server that has (or had) texts of its own: `version` goes up with every text added
-- or removed, in the same transaction, so that every process sees a change by reading one row.
CREATE TABLE libraries (
    guild_id INTEGER PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE texts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    guild_id INTEGER NOT NULL,
    -- The document id references use (`notes:2.3`), unique in the server.
    doc_id TEXT NOT NULL,
    title TEXT NOT NULL,
    -- As given with `/texts add language:`; NULL: read from the text.
    language TEXT,
    file_name TEXT NOT NULL,
    -- The format the content was read as (`text`, `markdown`, …).
    format TEXT NOT NULL,
    hash TEXT NOT NULL,
    size INTEGER NOT NULL,
    sections INTEGER NOT NULL,
    passages INTEGER NOT NULL,
    content BLOB NOT NULL,
    added_by INTEGER NOT NULL,
    added_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX texts_one_id_per_guild ON texts (guild_id, doc_id);
