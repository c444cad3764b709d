//! The store's queries for Postgres (`$n` placeholders), checked at compile time against
//! `migrations/postgres`. [`super::sqlite`] has the same functions for SQLite.

use sqlx::PgPool;

use super::{
    Bookmark, BookmarkRow, GuildSettings, MemberSettings, NewBookmark, NewPlan, Plan, PlanRow,
    Posted, Result, small,
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
