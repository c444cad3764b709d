//! The store's queries for Postgres (`$n` placeholders), checked at compile time against
//! `migrations/postgres`. [`super::sqlite`] has the same functions for SQLite.

use sqlx::PgPool;

use super::{
    AddedText, Bookmark, BookmarkRow, GuildSettings, MemberSettings, NewBookmark, NewPlan, NewText,
    Plan, PlanRow, Posted, Quota, Result, StoredText, TextInfo, TextRow, small,
};

pub(super) async fn guild_settings(p: &PgPool, guild: i64) -> Result<GuildSettings> {
    let row = sqlx::query!(
        "SELECT document, private, top, rate_burst, rate_refill_seconds FROM guild_settings WHERE guild_id = $1",
        guild
    )
    .fetch_optional(p)
    .await?;
    Ok(row.map_or_else(GuildSettings::default, |r| GuildSettings {
        document: r.document,
        private: r.private,
        top: small(r.top),
        rate_burst: small(r.rate_burst),
        rate_refill_seconds: small(r.rate_refill_seconds),
    }))
}

pub(super) async fn set_guild_settings(
    p: &PgPool,
    guild: i64,
    s: GuildSettings,
    now: i64,
) -> Result<()> {
    let (top, burst, refill) = (
        s.top.map(i64::from),
        s.rate_burst.map(i64::from),
        s.rate_refill_seconds.map(i64::from),
    );
    sqlx::query!(
        "INSERT INTO guild_settings (guild_id, document, private, top, rate_burst, rate_refill_seconds, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (guild_id) DO UPDATE SET document = excluded.document, private = excluded.private,
           top = excluded.top, rate_burst = excluded.rate_burst,
           rate_refill_seconds = excluded.rate_refill_seconds, updated_at = excluded.updated_at",
        guild,
        s.document,
        s.private,
        top,
        burst,
        refill,
        now
    )
    .execute(p)
    .await?;
    Ok(())
}

pub(super) async fn member_settings(p: &PgPool, guild: i64, user: i64) -> Result<MemberSettings> {
    let row = sqlx::query!(
        "SELECT document, private, top FROM member_settings WHERE guild_id = $1 AND user_id = $2",
        guild,
        user
    )
    .fetch_optional(p)
    .await?;
    Ok(
        row.map_or_else(MemberSettings::default, |r| MemberSettings {
            document: r.document,
            private: r.private,
            top: small(r.top),
        }),
    )
}

pub(super) async fn set_member_settings(
    p: &PgPool,
    guild: i64,
    user: i64,
    s: MemberSettings,
    now: i64,
) -> Result<()> {
    let top = s.top.map(i64::from);
    sqlx::query!(
        "INSERT INTO member_settings (guild_id, user_id, document, private, top, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (guild_id, user_id) DO UPDATE SET document = excluded.document,
           private = excluded.private, top = excluded.top, updated_at = excluded.updated_at",
        guild,
        user,
        s.document,
        s.private,
        top,
        now
    )
    .execute(p)
    .await?;
    Ok(())
}

pub(super) async fn create_plan(p: &PgPool, n: NewPlan, now: i64) -> Result<Option<Plan>> {
    let (guild, channel, by) = (n.guild as i64, n.channel as i64, n.created_by as i64);
    let (section, passage, per_day) = (
        i64::from(n.section),
        i64::from(n.passage),
        i64::from(n.passages_per_day),
    );
    let row = sqlx::query_as!(
        PlanRow,
        r#"INSERT INTO plans (guild_id, channel_id, created_by, document, section, passage,
             passages_per_day, local_time, timezone, status, next_due_at, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $11)
           ON CONFLICT (guild_id) WHERE status <> 'ended' DO NOTHING
           RETURNING id, guild_id, channel_id, created_by, document, section, passage,
             passages_per_day, local_time, timezone, status, pause_reason, admins_told,
             next_due_at, last_posted_day, posts"#,
        guild,
        channel,
        by,
        n.document,
        section,
        passage,
        per_day,
        n.local_time,
        n.timezone,
        n.next_due_at,
        now
    )
    .fetch_optional(p)
    .await?;
    Ok(row.map(Plan::from))
}

pub(super) async fn open_plan(p: &PgPool, guild: i64) -> Result<Option<Plan>> {
    let row = sqlx::query_as!(
        PlanRow,
        r#"SELECT id, guild_id, channel_id, created_by, document, section, passage,
             passages_per_day, local_time, timezone, status, pause_reason, admins_told,
             next_due_at, last_posted_day, posts
           FROM plans WHERE guild_id = $1 AND status <> 'ended'"#,
        guild
    )
    .fetch_optional(p)
    .await?;
    Ok(row.map(Plan::from))
}

pub(super) async fn plan(p: &PgPool, plan: i64) -> Result<Option<Plan>> {
    let row = sqlx::query_as!(
        PlanRow,
        r#"SELECT id, guild_id, channel_id, created_by, document, section, passage,
             passages_per_day, local_time, timezone, status, pause_reason, admins_told,
             next_due_at, last_posted_day, posts
           FROM plans WHERE id = $1"#,
        plan
    )
    .fetch_optional(p)
    .await?;
    Ok(row.map(Plan::from))
}

pub(super) async fn set_plan_status(
    p: &PgPool,
    guild: i64,
    status: &str,
    reason: Option<String>,
    next_due_at: Option<i64>,
) -> Result<Option<Plan>> {
    let row = sqlx::query_as!(
        PlanRow,
        r#"UPDATE plans SET status = $1, pause_reason = $2, admins_told = FALSE,
             next_due_at = COALESCE($3, next_due_at), claimed_by = NULL, claimed_until = NULL
           WHERE guild_id = $4 AND status <> 'ended'
           RETURNING id, guild_id, channel_id, created_by, document, section, passage,
             passages_per_day, local_time, timezone, status, pause_reason, admins_told,
             next_due_at, last_posted_day, posts"#,
        status,
        reason,
        next_due_at,
        guild
    )
    .fetch_optional(p)
    .await?;
    Ok(row.map(Plan::from))
}

pub(super) async fn move_plan(
    p: &PgPool,
    guild: i64,
    section: i64,
    passage: i64,
) -> Result<Option<Plan>> {
    let row = sqlx::query_as!(
        PlanRow,
        r#"UPDATE plans SET section = $1, passage = $2
           WHERE guild_id = $3 AND status <> 'ended'
           RETURNING id, guild_id, channel_id, created_by, document, section, passage,
             passages_per_day, local_time, timezone, status, pause_reason, admins_told,
             next_due_at, last_posted_day, posts"#,
        section,
        passage,
        guild
    )
    .fetch_optional(p)
    .await?;
    Ok(row.map(Plan::from))
}

/// One statement: the subquery locks the due row it picks and skips rows another transaction has
/// locked (`FOR UPDATE SKIP LOCKED`), so two schedulers never claim the same plan.
pub(super) async fn claim_due(
    p: &PgPool,
    now: i64,
    owner: String,
    until: i64,
) -> Result<Option<Plan>> {
    let row = sqlx::query_as!(
        PlanRow,
        r#"UPDATE plans SET claimed_by = $1, claimed_until = $2
           WHERE id = (SELECT id FROM plans
                       WHERE status = 'active' AND next_due_at <= $3
                         AND (claimed_until IS NULL OR claimed_until <= $3)
                       ORDER BY next_due_at, id LIMIT 1
                       FOR UPDATE SKIP LOCKED)
           RETURNING id, guild_id, channel_id, created_by, document, section, passage,
             passages_per_day, local_time, timezone, status, pause_reason, admins_told,
             next_due_at, last_posted_day, posts"#,
        owner,
        until,
        now
    )
    .fetch_optional(p)
    .await?;
    Ok(row.map(Plan::from))
}

pub(super) async fn finish_post(p: &PgPool, owner: String, d: Posted) -> Result<bool> {
    let status = if d.ended { "ended" } else { "active" };
    let (section, passage) = (i64::from(d.section), i64::from(d.passage));
    let done = sqlx::query!(
        "UPDATE plans SET section = $1, passage = $2, next_due_at = $3, last_posted_day = $4,
           status = $5, posts = posts + 1, claimed_by = NULL, claimed_until = NULL
         WHERE id = $6 AND claimed_by = $7",
        section,
        passage,
        d.next_due_at,
        d.day,
        status,
        d.plan,
        owner
    )
    .execute(p)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn pause_claimed(
    p: &PgPool,
    plan: i64,
    owner: String,
    reason: String,
) -> Result<bool> {
    let done = sqlx::query!(
        "UPDATE plans SET status = 'paused', pause_reason = $1, claimed_by = NULL, claimed_until = NULL
         WHERE id = $2 AND claimed_by = $3",
        reason,
        plan,
        owner
    )
    .execute(p)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn release(p: &PgPool, plan: i64, owner: String, retry_at: i64) -> Result<bool> {
    let done = sqlx::query!(
        "UPDATE plans SET claimed_by = NULL, claimed_until = $1 WHERE id = $2 AND claimed_by = $3",
        retry_at,
        plan,
        owner
    )
    .execute(p)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn mark_admins_told(p: &PgPool, plan: i64) -> Result<bool> {
    let done = sqlx::query!(
        "UPDATE plans SET admins_told = TRUE WHERE id = $1 AND admins_told = FALSE",
        plan
    )
    .execute(p)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn add_bookmark(p: &PgPool, b: NewBookmark, now: i64) -> Result<Bookmark> {
    let user = b.user as i64;
    let row = sqlx::query_as!(
        BookmarkRow,
        r#"INSERT INTO bookmarks (user_id, document, reference, text_hash, quoted, note, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (user_id, document, reference) DO UPDATE SET
             note = COALESCE(excluded.note, bookmarks.note), text_hash = excluded.text_hash,
             quoted = excluded.quoted
           RETURNING id AS "id!", user_id, document, reference, text_hash, quoted, note, created_at"#,
        user,
        b.document,
        b.reference,
        b.text_hash,
        b.quoted,
        b.note,
        now
    )
    .fetch_one(p)
    .await?;
    Ok(row.into())
}

pub(super) async fn bookmarks(
    p: &PgPool,
    user: i64,
    offset: i64,
    limit: i64,
) -> Result<Vec<Bookmark>> {
    let rows = sqlx::query_as!(
        BookmarkRow,
        r#"SELECT id, user_id, document, reference, text_hash, quoted, note, created_at
           FROM bookmarks WHERE user_id = $1 ORDER BY id LIMIT $2 OFFSET $3"#,
        user,
        limit,
        offset
    )
    .fetch_all(p)
    .await?;
    Ok(rows.into_iter().map(Bookmark::from).collect())
}

pub(super) async fn count_bookmarks(p: &PgPool, user: i64) -> Result<i64> {
    let n = sqlx::query_scalar!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM bookmarks WHERE user_id = $1"#,
        user
    )
    .fetch_one(p)
    .await?;
    Ok(n)
}

pub(super) async fn delete_bookmark(p: &PgPool, user: i64, bookmark: i64) -> Result<bool> {
    let done = sqlx::query!(
        "DELETE FROM bookmarks WHERE id = $1 AND user_id = $2",
        bookmark,
        user
    )
    .execute(p)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn remember_question(p: &PgPool, hash: i64, text: String, now: i64) -> Result<()> {
    sqlx::query!(
        "INSERT INTO questions (hash, text, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (hash) DO UPDATE SET text = excluded.text, created_at = excluded.created_at",
        hash,
        text,
        now
    )
    .execute(p)
    .await?;
    Ok(())
}

pub(super) async fn question(p: &PgPool, hash: i64, since: i64) -> Result<Option<String>> {
    let text = sqlx::query_scalar!(
        "SELECT text FROM questions WHERE hash = $1 AND created_at >= $2",
        hash,
        since
    )
    .fetch_optional(p)
    .await?;
    Ok(text)
}

pub(super) async fn forget_questions(p: &PgPool, before: i64) -> Result<()> {
    sqlx::query!("DELETE FROM questions WHERE created_at < $1", before)
        .execute(p)
        .await?;
    Ok(())
}

// --- each server's texts (issue 28) -------------------------------------------------------------

/// Adds a text within the server's quota. The first statement bumps the server's version, which
/// locks the server's row until the transaction ends: another add for the same server waits, so
/// the count, the check and the insert cannot interleave and two racing adds end one way.
pub(super) async fn add_text(p: &PgPool, t: NewText, quota: Quota, now: i64) -> Result<AddedText> {
    let guild = t.guild as i64;
    let by = t.added_by as i64;
    let size = t.content.len() as i64;
    let mut tx = p.begin().await?;
    let version = sqlx::query_scalar!(
        r#"INSERT INTO libraries (guild_id, version, updated_at) VALUES ($1, 1, $2)
           ON CONFLICT (guild_id) DO UPDATE SET version = libraries.version + 1,
             updated_at = excluded.updated_at
           RETURNING version AS "version!: i64""#,
        guild,
        now
    )
    .fetch_one(&mut *tx)
    .await?;
    let used = sqlx::query!(
        r#"SELECT COUNT(*) AS "count!: i64", COALESCE(SUM(size), 0)::BIGINT AS "bytes!: i64"
           FROM texts WHERE guild_id = $1"#,
        guild
    )
    .fetch_one(&mut *tx)
    .await?;
    if let Some(refused) = quota.refuses(used.count, used.bytes, size) {
        tx.rollback().await?;
        return Ok(refused);
    }
    let taken = sqlx::query_scalar!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM texts WHERE guild_id = $1 AND doc_id = $2"#,
        guild,
        t.doc_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if taken > 0 {
        tx.rollback().await?;
        return Ok(AddedText::Taken);
    }
    let row = sqlx::query_as!(
        TextRow,
        r#"INSERT INTO texts (guild_id, doc_id, title, language, file_name, format, hash, size,
             sections, passages, content, added_by, added_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           RETURNING id AS "id!", guild_id, doc_id, title, language, file_name, format, hash,
             size, sections, passages, added_by, added_at"#,
        guild,
        t.doc_id,
        t.title,
        t.language,
        t.file_name,
        t.format,
        t.hash,
        size,
        t.sections,
        t.passages,
        t.content,
        by,
        now
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(AddedText::Added {
        text: row.into(),
        version,
    })
}

/// Removes a server's text; its info and the server's new version, `None` when there was none.
pub(super) async fn remove_text(
    p: &PgPool,
    guild: i64,
    doc_id: String,
    now: i64,
) -> Result<Option<(TextInfo, i64)>> {
    let mut tx = p.begin().await?;
    let row = sqlx::query_as!(
        TextRow,
        r#"DELETE FROM texts WHERE guild_id = $1 AND doc_id = $2
           RETURNING id AS "id!", guild_id, doc_id, title, language, file_name, format, hash,
             size, sections, passages, added_by, added_at"#,
        guild,
        doc_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        tx.rollback().await?;
        return Ok(None);
    };
    let version = sqlx::query_scalar!(
        r#"INSERT INTO libraries (guild_id, version, updated_at) VALUES ($1, 1, $2)
           ON CONFLICT (guild_id) DO UPDATE SET version = libraries.version + 1,
             updated_at = excluded.updated_at
           RETURNING version AS "version!: i64""#,
        guild,
        now
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some((row.into(), version)))
}

pub(super) async fn texts(p: &PgPool, guild: i64) -> Result<Vec<TextInfo>> {
    let rows = sqlx::query_as!(
        TextRow,
        r#"SELECT id, guild_id, doc_id, title, language, file_name, format, hash, size,
             sections, passages, added_by, added_at
           FROM texts WHERE guild_id = $1 ORDER BY id"#,
        guild
    )
    .fetch_all(p)
    .await?;
    Ok(rows.into_iter().map(TextInfo::from).collect())
}

/// The server's version and every text with its bytes, read in one transaction so that they
/// agree.
pub(super) async fn library(p: &PgPool, guild: i64) -> Result<(i64, Vec<StoredText>)> {
    let mut tx = p.begin().await?;
    let version = sqlx::query_scalar!(
        r#"SELECT version AS "version!: i64" FROM libraries WHERE guild_id = $1"#,
        guild
    )
    .fetch_optional(&mut *tx)
    .await?
    .unwrap_or(0);
    let rows = sqlx::query!(
        r#"SELECT id, guild_id, doc_id, title, language, file_name, format, hash, size,
             sections, passages, added_by, added_at, content
           FROM texts WHERE guild_id = $1 ORDER BY id"#,
        guild
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((
        version,
        rows.into_iter()
            .map(|r| StoredText {
                info: TextRow {
                    id: r.id,
                    guild_id: r.guild_id,
                    doc_id: r.doc_id,
                    title: r.title,
                    language: r.language,
                    file_name: r.file_name,
                    format: r.format,
                    hash: r.hash,
                    size: r.size,
                    sections: r.sections,
                    passages: r.passages,
                    added_by: r.added_by,
                    added_at: r.added_at,
                }
                .into(),
                content: r.content,
            })
            .collect(),
    ))
}

pub(super) async fn library_version(p: &PgPool, guild: i64) -> Result<i64> {
    let v = sqlx::query_scalar!(
        r#"SELECT version AS "version!: i64" FROM libraries WHERE guild_id = $1"#,
        guild
    )
    .fetch_optional(p)
    .await?;
    Ok(v.unwrap_or(0))
}
