//! The `[discord]` settings: file, environment, validation, and a token that never shows.

use super::Now;
use std::sync::Arc;
use std::time::Duration;

use cabildo::config::{DEFAULT_RATE_BURST, DEFAULT_RATE_REFILL_SECONDS};

use crate::config::load;
use cabildo::discord::gateway::{token, token_id};
use cabildo::discord::handler::Bot;

#[test]
fn shipped_config_has_the_discord_defaults() {
    let s = load(None, &[]).expect("loads");
    assert_eq!(s.discord.token, None);
    assert_eq!(s.discord.guild_id, None);
    assert_eq!(s.discord.proxy_url, None);
    assert_eq!(s.discord.rate_burst, DEFAULT_RATE_BURST);
    assert_eq!(s.discord.rate_refill_seconds, DEFAULT_RATE_REFILL_SECONDS);
}

#[test]
fn file_then_environment() {
    let s = load(
        Some("[discord]\nguild_id = 1\nproxy_url = \"http://proxy:8080\"\nrate_refill_seconds = 10\nrate_burst = 8\n"),
        &[("DISCORD_GUILD_ID", "2"), ("DISCORD_RATE_REFILL_SECONDS", "0")],
    )
    .expect("loads");
    assert_eq!(s.discord.guild_id, Some(2));
    assert_eq!(s.discord.proxy_url.as_deref(), Some("http://proxy:8080"));
    assert_eq!(s.discord.rate_refill_seconds, 0);
    assert_eq!(s.discord.rate_burst, 8);
    // The older name of the refill setting still works, in the file and the environment.
    let s = load(Some("[discord]\ncooldown_seconds = 7\n"), &[]).expect("loads");
    assert_eq!(s.discord.rate_refill_seconds, 7);
    let s = load(
        None,
        &[
            ("DISCORD_COOLDOWN_SECONDS", "9"),
            ("DISCORD_RATE_BURST", "3"),
        ],
    )
    .expect("loads");
    assert_eq!(
        (s.discord.rate_refill_seconds, s.discord.rate_burst),
        (9, 3)
    );
}

#[test]
fn bad_values_name_the_variable_or_key() {
    let e = load(None, &[("DISCORD_GUILD_ID", "my server")])
        .expect_err("not a number")
        .to_string();
    assert!(e.contains("DISCORD_GUILD_ID"), "{e}");
    let e = load(Some("[discord]\nrate_refill_seconds = 99999\n"), &[])
        .expect_err("too long")
        .to_string();
    assert!(e.contains("discord.rate_refill_seconds"), "{e}");
    for bad in ["0", "101", "lots"] {
        let e = load(None, &[("DISCORD_RATE_BURST", bad)])
            .expect_err("out of range")
            .to_string();
        assert!(
            e.contains("DISCORD_RATE_BURST") || e.contains("rate_burst"),
            "{e}"
        );
    }
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

/// The rate limit through the bot, as every front end calls it: mistakes are free, lookups and
/// searches pay, autocomplete never does, and each member has a bucket of their own.
#[test]
fn rate_limit_per_member_spares_mistakes() {
    use cabildo::discord::commands::Action;
    use cabildo::reply::Body;
    let engine = crate::common::essay();
    // Bot wants an Arc; the essay engine is shared, so build a small one of our own.
    let engine = Arc::new(
        cabildo::engine::Engine::from_corpus(engine.corpus.clone(), None, engine.search.clone())
            .expect("engine"),
    );
    let bot = Bot::new(engine, 3, Duration::from_secs(60));
    let quote = |r: &str| Action::Quote {
        reference: r.into(),
    };
    let ask = |q: &str, d: Option<&str>| Action::Ask {
        question: q.into(),
        document: d.map(str::to_string),
        private: Some(false),
    };
    let throttled = |b: &Body| matches!(b, Body::Cooldown { .. });
    for _ in 0..10 {
        assert!(matches!(
            bot.respond_now(1, quote("99.99")).body,
            Body::Notice(_)
        ));
        assert!(matches!(
            bot.respond_now(1, ask("dual power", Some("nosuch"))).body,
            Body::Notice(_)
        ));
    }
    assert!(matches!(
        bot.respond_now(1, quote("2.3")).body,
        Body::Quote(_)
    ));
    assert!(matches!(
        bot.respond_now(1, ask("dual power", None)).body,
        Body::Answer(_)
    ));
    for _ in 0..30 {
        let complete = Action::Complete {
            command: "quote".into(),
            option: "reference".into(),
            partial: "pow".into(),
        };
        assert!(matches!(
            bot.respond_now(1, complete).body,
            Body::Choices(_)
        ));
    }
    assert!(matches!(
        bot.respond_now(1, Action::Help).body,
        Body::Help(_)
    ));
    assert!(throttled(&bot.respond_now(1, quote("2.4")).body));
    let Body::Cooldown { seconds } = bot.respond_now(1, ask("general strike", None)).body else {
        panic!("a search past the limit is refused")
    };
    assert!((1..=60).contains(&seconds), "{seconds}");
    assert!(
        matches!(bot.respond_now(2, quote("2.4")).body, Body::Quote(_)),
        "another member is not slowed"
    );
    // A refill of 0 turns the limit off.
    let free = Bot::new(bot.library.host().clone(), 1, Duration::ZERO);
    assert!((0..20).all(|_| !throttled(&free.respond_now(1, quote("2.3")).body)));
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
