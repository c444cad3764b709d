-- The language of the bot's words per server (issue 29), SQLite flavour. Keep in step with
-- ../postgres/0004_language.sql.
-- `language`: what the server's managers chose with `/settings set language:` (`en`, `es`); NULL:
-- each member's own Discord language. `discord_locale`: the server's locale as Discord last sent
-- it (`guild_locale`, with `/plan start` and `/plan resume`), for what is posted without an
-- interaction (reading plans) when no language is set.
ALTER TABLE guild_settings ADD COLUMN language TEXT;
ALTER TABLE guild_settings ADD COLUMN discord_locale TEXT;
