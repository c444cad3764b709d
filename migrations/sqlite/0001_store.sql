-- cabildo's state (issue 14), SQLite flavour. Keep in step with ../postgres/0001_store.sql: the same
-- tables and columns, with each backend's types. Discord ids are stored as signed 64-bit integers
-- (the same bits), instants as Unix seconds (UTC).

-- Per-server settings. NULL: not set here, fall back to the config file.
CREATE TABLE guild_settings (
    guild_id INTEGER PRIMARY KEY NOT NULL,
    document TEXT,
    private BOOLEAN,
    top INTEGER,
    rate_burst INTEGER,
    rate_refill_seconds INTEGER,
    updated_at INTEGER NOT NULL
);

-- A member's own preferences in one server. NULL: not set, fall back to the server's setting.
CREATE TABLE member_settings (
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    document TEXT,
    private BOOLEAN,
    top INTEGER,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- Reading plans: the next passage to post, when, and who holds the post while it is being sent.
CREATE TABLE plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    guild_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    created_by INTEGER NOT NULL,
    document TEXT NOT NULL,
    section INTEGER NOT NULL,
    passage INTEGER NOT NULL,
    passages_per_day INTEGER NOT NULL,
    local_time TEXT NOT NULL,
    timezone TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'ended')),
    pause_reason TEXT,
    admins_told BOOLEAN NOT NULL DEFAULT FALSE,
    next_due_at INTEGER NOT NULL,
    last_posted_day TEXT,
    posts INTEGER NOT NULL DEFAULT 0,
    claimed_by TEXT,
    claimed_until INTEGER,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX plans_one_open_per_guild ON plans (guild_id) WHERE status <> 'ended';
CREATE INDEX plans_due ON plans (next_due_at) WHERE status = 'active';

-- Bookmarks: the passage by document id and reference, with a hash of its text when bookmarked
-- (a changed text is marked, not lost) and that text itself for the export.
CREATE TABLE bookmarks (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id INTEGER NOT NULL,
    document TEXT NOT NULL,
    reference TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    quoted TEXT NOT NULL,
    note TEXT,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX bookmarks_one_per_passage ON bookmarks (user_id, document, reference);
CREATE INDEX bookmarks_by_member ON bookmarks (user_id, id);
