//! The `[discord]` settings: file, environment, validation, and a token that never shows.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cabildo::config::DEFAULT_COOLDOWN_SECONDS;

use crate::config::load;
use cabildo::discord::gateway::{token, token_id};
use cabildo::discord::handler::Bot;

#[test]
fn shipped_config_has_the_discord_defaults() {
    let s = load(None, &[]).expect("loads");
    assert_eq!(s.discord.token, None);
    assert_eq!(s.discord.guild_id, None);
    assert_eq!(s.discord.proxy_url, None);
    assert_eq!(s.discord.cooldown_seconds, DEFAULT_COOLDOWN_SECONDS);
}

#[test]
fn file_then_environment() {
    let s = load(
        Some("[discord]\nguild_id = 1\nproxy_url = \"http://proxy:8080\"\ncooldown_seconds = 10\n"),
        &[("DISCORD_GUILD_ID", "2"), ("DISCORD_COOLDOWN_SECONDS", "0")],
    )
    .expect("loads");
    assert_eq!(s.discord.guild_id, Some(2));
    assert_eq!(s.discord.proxy_url.as_deref(), Some("http://proxy:8080"));
    assert_eq!(s.discord.cooldown_seconds, 0);
}

#[test]
fn bad_values_name_the_variable_or_key() {
    let e = load(None, &[("DISCORD_GUILD_ID", "my server")])
        .expect_err("not a number")
        .to_string();
    assert!(e.contains("DISCORD_GUILD_ID"), "{e}");
    let e = load(Some("[discord]\ncooldown_seconds = 99999\n"), &[])
        .expect_err("too long")
        .to_string();
    assert!(e.contains("discord.cooldown_seconds"), "{e}");
    let e = load(Some("[discord]\ntoken = \"x.y.z\"\n"), &[])
        .expect_err("no tokens in files")
        .to_string();
    assert!(e.contains("token"), "{e}");
    let e = load(None, &[("DISCORD_PROXY_URL", "localhost:8080")])
        .expect_err("not a URL")
        .to_string();
    assert!(e.contains("proxy_url"), "{e}");
}

#[test]
fn the_token_never_shows_in_debug_output() {
    let secret = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GfAkE0.very-secret";
    let s = load(None, &[("DISCORD_TOKEN", secret)]).expect("loads");
    let debug = format!("{s:?} {:?}", s.discord);
    assert!(!debug.contains("very-secret"), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
    assert_eq!(token(&s).expect("well formed").expose(), secret);
}

#[test]
fn token_ids_are_read_from_the_first_part() {
    assert_eq!(
        token_id("MTIzNDU2Nzg5MDEyMzQ1Njc4.GfAkE0.very-secret"),
        Some(123_456_789_012_345_678)
    );
    assert_eq!(
        token_id("Bot MTIzNDU2Nzg5MDEyMzQ1Njc4.GfAkE0.x"),
        Some(123_456_789_012_345_678)
    );
    for bad in [
        "",
        "a.b",
        "MTIz..x",
        "bm90IGFuIGlk.a.b",
        "MTIz.a b.c",
        "MA.a.b",
    ] {
        assert_eq!(token_id(bad), None, "{bad}");
    }
}

#[test]
fn cooldown_per_member() {
    let engine = crate::common::essay();
    // Bot wants an Arc; the essay engine is shared, so build a small one of our own.
    let engine = Arc::new(
        cabildo::engine::Engine::from_corpus(engine.corpus.clone(), None, engine.search.clone())
            .expect("engine"),
    );
    let bot = Bot::new(engine, 3);
    let t0 = Instant::now();
    assert_eq!(bot.cooldown(1, t0), None);
    assert_eq!(bot.cooldown(2, t0), None, "another member is not slowed");
    assert_eq!(bot.cooldown(1, t0 + Duration::from_millis(500)), Some(3));
    assert_eq!(bot.cooldown(1, t0 + Duration::from_millis(2500)), Some(1));
    assert_eq!(bot.cooldown(1, t0 + Duration::from_secs(3)), None);
}

#[test]
fn shards_from_file_then_environment() {
    use cabildo::config::Shards;
    assert_eq!(load(None, &[]).expect("loads").discord.shards, None);
    let s = load(Some("[discord]\nshards = \"0..4\"\nshard_count = 8\n"), &[]).expect("loads");
    assert_eq!(s.discord.shards, Some(Shards::new(0, 4, 8).expect("valid")));
    // The file holds the total, the environment names this process's range.
    let s = load(
        Some("[discord]\nshard_count = 8\n"),
        &[("CABILDO_SHARDS", " 4..8 ")],
    )
    .expect("loads");
    assert_eq!(s.discord.shards, Some(Shards::new(4, 8, 8).expect("valid")));
    // A count alone: every shard; one id alone: that shard.
    let s = load(None, &[("CABILDO_SHARD_COUNT", "3")]).expect("loads");
    assert_eq!(s.discord.shards, Some(Shards::new(0, 3, 3).expect("valid")));
    let s = load(
        None,
        &[("CABILDO_SHARDS", "5"), ("CABILDO_SHARD_COUNT", "6")],
    )
    .expect("loads");
    assert_eq!(s.discord.shards, Some(Shards::new(5, 6, 6).expect("valid")));
    assert_eq!(
        s.discord.shards.map(|s| s.to_string()).as_deref(),
        Some("5..6 of 6")
    );
}

#[test]
fn bad_shard_settings_name_the_key_or_variable() {
    for (file, expected) in [
        (
            "shards = \"half\"\nshard_count = 8",
            &["cabildo.toml", "discord.shards", "START..END"][..],
        ),
        ("shard_count = -1", &["discord.shard_count", "whole number"]),
        (
            "shards = \"6..9\"\nshard_count = 8",
            &["goes past the shard count 8"],
        ),
        ("shard = \"0..1\"", &["unknown field `shard`"]),
    ] {
        let e = load(Some(&format!("[discord]\n{file}\n")), &[])
            .expect_err(file)
            .to_string();
        assert!(expected.iter().all(|x| e.contains(x)), "{file}: {e}");
    }
}
