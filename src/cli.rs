//! The command line: `ask`, `quote`, `toc`, `index`, `eval`, and the Discord bot's `run`,
//! `register`, `invite`. Parses arguments, loads settings, opens the
//! engine, calls the shared use cases and prints through [`crate::render`].

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use crate::answer::{AskOptions, ask};
use crate::config::{Overrides, Settings};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::lookup;
use crate::render::{json, text};

/// Answers questions about your texts with exact, referenced quotes.
#[derive(Debug, Parser)]
#[command(name = "cabildo", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Config file [default: config/cabildo.toml if it exists]
    #[arg(long, global = true, env = "CABILDO_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A text, Markdown, HTML, EPUB or PDF file, or a directory of them [default: the built-in essay]
    #[arg(long, global = true, value_name = "PATH")]
    pub corpus: Option<PathBuf>,
    /// Where indexes are kept [default: ~/.cache/cabildo]
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// More log output (-v info, -vv debug)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Answer as this server's members are (its own texts beside the host's; `ask`, `quote`,
    /// `toc`, `eval`, `bench`), or the server whose texts or settings `texts` and `settings` work
    /// on
    #[arg(long, global = true, value_name = "ID")]
    pub guild: Option<u64>,
    /// The language of cabildo's own words: en or es [default: from LC_ALL, LC_MESSAGES or LANG]
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<crate::i18n::Lang>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ask a question; prints the passages that answer it
    Ask(AskArgs),
    /// Print passages by reference: 2.3, 2.3-5, "§2 ¶3", "John 3:16"
    Quote {
        /// The reference
        reference: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// List the sections of the texts
    Toc {
        /// Only this document (id or a unique part of it)
        #[arg(long)]
        document: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Build (or check) the persisted index of the corpus
    Index,
    /// Sentence-embedding models for semantic search
    #[command(subcommand)]
    Model(ModelCommand),
    /// Measure speed: cold and warm start, answer latency percentiles, peak memory
    Bench {
        /// Questions: a JSONL question set or one question per line [default: built-in sample]
        #[arg(long)]
        questions: Option<PathBuf>,
        /// How many times each question is asked
        #[arg(long, default_value_t = 50)]
        repetitions: usize,
        /// Use the configured data directory (its index and stored vectors, building only what is
        /// missing) instead of a fresh one: measures answers without re-embedding a large corpus
        #[arg(long)]
        reuse: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
        /// Measure only reading the texts (--corpus): time to parse them, best and median of
        /// --repetitions reads, and the peak memory
        #[arg(long)]
        parse: bool,
    },
    /// Measure answer quality on a question set (JSONL with gold needles, as in shared/eval)
    Eval {
        /// The question set
        questions: PathBuf,
        /// Print the metrics as JSON
        #[arg(long)]
        json: bool,
        /// Also write each answer as one JSON line to this file (for score.py)
        #[arg(long, value_name = "FILE")]
        answers: Option<PathBuf>,
    },
    /// Check the settings, the texts, the token's and public key's shape (never printing them)
    Check,
    /// Run the Discord bot over the gateway (needs DISCORD_TOKEN in the environment or .env);
    /// Ctrl-C stops it
    #[command(after_help = RUN_HELP)]
    Run {
        /// Start only these gateway shards: START..END of the --shard-count total, END not
        /// included (0..4 is shards 0, 1, 2 and 3), or one shard id N [default: every shard of
        /// --shard-count; one shard when neither is set; or discord.shards / CABILDO_SHARDS]
        #[arg(long, value_name = "START..END", allow_hyphen_values = true)]
        shards: Option<String>,
        /// Total number of gateway shards across all processes, the same for each [or
        /// discord.shard_count / CABILDO_SHARD_COUNT]
        #[arg(long, value_name = "N", allow_hyphen_values = true)]
        shard_count: Option<String>,
    },
    /// Serve Discord interactions over HTTP at POST /interactions (needs DISCORD_PUBLIC_KEY), with
    /// GET /healthz and GET /metrics; SIGTERM or Ctrl-C stops it gracefully
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080, or discord.listen / CABILDO_LISTEN]
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Register the bot's slash commands with Discord, then exit (to DISCORD_GUILD_ID when set,
    /// else globally)
    Register,
    /// Print the link that adds the bot to a server (needs DISCORD_TOKEN or DISCORD_APPLICATION_ID)
    Invite,
    /// The database (cabildo.db in the data directory, or DATABASE_URL): migrate, status, backup
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Server settings as the bot sees them (for an admin on the host)
    Settings {
        #[command(subcommand)]
        command: SettingsCommand,
    },
    /// A server's own texts, kept in the database (what `/texts` does in Discord): --guild ID
    Texts {
        #[command(subcommand)]
        command: TextsCommand,
    },
}

/// `cabildo texts …` (each needs `--guild ID`)
#[derive(Debug, Subcommand)]
pub enum TextsCommand {
    /// Add texts (.txt, .md; the content decides) to the server's own
    Add {
        /// The files
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The title (with one file) [default: what the text says, else the file name]
        #[arg(long)]
        title: Option<String>,
        /// The language, such as en or es [default: read from the text]
        #[arg(long)]
        language: Option<String>,
    },
    /// The server's texts (size, who added them, when) and the host's
    List,
    /// Remove one of the server's texts, by its id
    Remove {
        /// The text's id (as `texts list` shows it)
        document: String,
    },
}

/// `cabildo db …`
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create the database if needed and apply the migrations not applied yet
    Migrate,
    /// Which database is used, and which migrations are applied
    Status,
    /// Copy the SQLite database, consistently while the bot runs, to a new FILE
    Backup {
        /// The file to write (must not exist)
        file: PathBuf,
    },
}

/// `cabildo settings …`
#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Print a server's settings (--guild ID), and where each value comes from
    Show,
}

/// `cabildo model …`
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Download a model from the Hugging Face hub into <data_dir>/models/ (checksums checked). The
    /// default model is used from then on; for another, set `[search] model` or CABILDO_MODEL to
    /// the name it prints. HF_ENDPOINT points at a mirror; HF_TOKEN is sent for gated models
    Fetch {
        /// `organisation/model`, or a sentence-transformers model name
        #[arg(default_value = crate::models::DEFAULT_MODEL)]
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct AskArgs {
    /// The question, in plain words; `-` reads one question per line from stdin and writes one JSON
    /// answer per line
    pub question: String,
    /// How many passages to show [default: 3, or search.top in the config]
    #[arg(long, short = 'k', value_parser = clap::value_parser!(u16).range(1..=50))]
    pub top: Option<u16>,
    /// Only search this document (id or a unique part of it)
    #[arg(long)]
    pub document: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Show why each passage ranked where it did
    #[arg(long)]
    pub explain: bool,
}

/// Shown after `cabildo run --help`.
const RUN_HELP: &str = "\
Sharding: Discord requires shards from 2,500 servers (its GET /gateway/bot says how many). One
process can run every shard (--shard-count 8), or several processes can share them, each with its
own range of the same total:

  cabildo run --shards 0..4 --shard-count 8   # shards 0, 1, 2, 3
  cabildo run --shards 4..8 --shard-count 8   # shards 4, 5, 6, 7

Shards start one every 5 seconds (Discord's limit on identifying). The process that runs shard 0
registers the slash commands.";

/// Entry point of the binary: parse, run, map errors to exit codes.
pub fn main() -> ExitCode {
    // A missing .env is normal; a broken one is reported once settings are read.
    let dotenv = dotenvy::dotenv();
    let cli = Cli::parse();
    let lang = cli.global.lang.unwrap_or_else(crate::i18n::Lang::from_env);
    match run(cli, dotenv.err()) {
        Ok(code) => code,
        Err(e) => {
            // A mistake in what was typed is said in the user's language.
            let message = match e.as_user() {
                Some(u) => u.msg().text(lang),
                None => e.to_string(),
            };
            let _ = writeln!(std::io::stderr(), "error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one command.
pub fn run(cli: Cli, dotenv_error: Option<dotenvy::Error>) -> Result<ExitCode> {
    let (shards, shard_count) = match &cli.command {
        Command::Run {
            shards,
            shard_count,
        } => (shards.clone(), shard_count.clone()),
        _ => (None, None),
    };
    let settings = Settings::load(&Overrides {
        config: cli.global.config.clone(),
        corpus: cli.global.corpus.clone(),
        data_dir: cli.global.data_dir.clone(),
        shards,
        shard_count,
    })?;
    init_logging(
        &settings,
        cli.global.verbose,
        matches!(cli.command, Command::Run { .. } | Command::Serve { .. }),
    );
    if let Some(e) = dotenv_error.filter(|e| !e.not_found()) {
        tracing::warn!("could not read .env: {e}");
    }
    let lang = cli.global.lang.unwrap_or_else(crate::i18n::Lang::from_env);
    let style = text::Style {
        color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        lang,
    };
    let mut out = std::io::stdout().lock();
    let guild = cli.global.guild;
    match cli.command {
        Command::Ask(args) => {
            let engine = engine_for(&settings, guild)?;
            if cli.global.verbose > 0 && engine.semantic.is_none() {
                eprintln!("{}", crate::engine::SEMANTIC_HINT);
            }
            let opts = AskOptions {
                top: args.top.map(usize::from),
                offset: 0,
                document: args.document.clone(),
                explain: args.explain,
            };
            if args.question == "-" {
                let stdin = std::io::stdin();
                // A question that fails gets an error line; the batch goes on, and exits 1 at
                // the end so scripts notice.
                let mut failed = false;
                for line in stdin.lock().lines() {
                    let line = line.map_err(|e| Error::io("reading questions from stdin", e))?;
                    match ask(&engine, line.trim(), &opts) {
                        Ok(a) => write_out(&mut out, &json::line(&a))?,
                        Err(e) => {
                            failed = true;
                            write_out(&mut out, &json::error_line(line.trim(), &e))?;
                        }
                    }
                }
                if failed {
                    return Ok(ExitCode::FAILURE);
                }
            } else {
                let a = ask(&engine, &args.question, &opts)?;
                if args.json {
                    write_out(&mut out, &json::pretty(&a))?;
                } else {
                    write_out(&mut out, text::answer(&a, style).trim_end())?;
                }
            }
        }
        Command::Quote { reference, json: j } => {
            let corpus = corpus_for(&settings, guild)?;
            let q = lookup::quote(&corpus, &reference)?;
            let s = if j {
                json::pretty(&q)
            } else {
                text::quote(&q, style)
            };
            write_out(&mut out, s.trim_end())?;
        }
        Command::Toc { document, json: j } => {
            let corpus = corpus_for(&settings, guild)?;
            let t = lookup::toc(&corpus, document.as_deref())?;
            let s = if j {
                json::pretty(&t)
            } else {
                text::toc(&t, style)
            };
            write_out(&mut out, s.trim_end())?;
        }
        Command::Eval {
            questions,
            json: j,
            answers,
        } => {
            let qs = crate::eval::load_questions(&questions)?;
            let engine = engine_for(&settings, guild)?;
            let (all, m) = crate::eval::run(&engine, &qs)?;
            if let Some(path) = answers {
                let body: String = all.iter().map(|a| json::line(a) + "\n").collect();
                std::fs::write(&path, body)
                    .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
            }
            let s = if j {
                json::line(&m)
            } else {
                text::metrics(&m, &questions.display().to_string())
            };
            write_out(&mut out, s.trim_end())?;
        }
        Command::Bench {
            questions,
            repetitions,
            reuse,
            json: j,
            parse,
        } => {
            if parse {
                let Some(path) = &settings.corpus else {
                    return Err(Error::Command(
                        "`cabildo bench --parse` measures reading files: name them with --corpus"
                            .into(),
                    ));
                };
                let r = crate::bench::parse(path, &settings.formats, repetitions.clamp(1, 1000))?;
                let s = if j {
                    json::line(&r)
                } else {
                    format!(
                        "{} passages in {} document(s), read {} times
                         read: best {:.1} ms, median {:.1} ms
                         peak RSS {:.1} MB",
                        r.passages,
                        r.documents,
                        r.repetitions,
                        r.best_ms,
                        r.median_ms,
                        r.peak_rss_mb
                    )
                };
                write_out(&mut out, &s)?;
                return Ok(ExitCode::SUCCESS);
            }
            let qs = match questions {
                Some(p) => crate::bench::load_questions(&p)?,
                None => SAMPLE_QUESTIONS.iter().map(|s| s.to_string()).collect(),
            };
            let corpus = corpus_for(&settings, guild)?;
            let model = settings
                .search
                .model
                .as_ref()
                .map(|m| crate::models::model_dir(m, &settings.data_dir));
            let r = crate::bench::run(
                corpus,
                &qs,
                repetitions.max(1),
                settings.search.clone(),
                model.as_deref(),
                reuse.then_some(settings.data_dir.as_path()),
            )?;
            let s = if j {
                json::line(&r)
            } else {
                let semantic = match &r.model {
                    Some(m) => format!(
                        "semantic search: {m}, {} vectors embedded in {:.1} s (part of the cold start)\n",
                        r.vectors,
                        r.embed_ms / 1000.0
                    ),
                    None => String::new(),
                };
                semantic
                    + &format!(
                        "{} passages in {} document(s); {} questions × {}\n\
                     start-up: cold (build) {:.0} ms, warm (open) {:.1} ms\n\
                     answer: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms, {:.0} answers/s (one thread)\n\
                     peak RSS {:.1} MB",
                        r.passages,
                        r.documents,
                        r.questions,
                        r.repetitions,
                        r.cold_start_ms,
                        r.warm_start_ms,
                        r.p50_ms,
                        r.p99_ms,
                        r.max_ms,
                        r.answers_per_second,
                        r.peak_rss_mb
                    )
            };
            write_out(&mut out, &s)?;
        }
        Command::Index => {
            let started = Instant::now();
            let corpus = load_corpus(&settings)?;
            let passages = corpus.len();
            let docs = corpus.documents.len();
            let mut engine =
                Engine::from_corpus(corpus, Some(&settings.data_dir), settings.search.clone())?;
            // With a model, the passages' vectors are computed (or checked) now too, so that no
            // question waits for them later.
            if let Some(model) = &settings.search.model {
                let dir = crate::models::model_dir(model, &settings.data_dir);
                engine = engine.with_model(&dir, Some(&settings.data_dir))?;
            }
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            let verb = if engine.index.built {
                "built"
            } else {
                "up to date, opened"
            };
            let place = match &engine.index.location {
                crate::index::Location::Dir(d) => d.display().to_string(),
                crate::index::Location::Ram => "memory".to_string(),
            };
            let mut line = format!(
                "index {verb} in {ms:.0} ms: {passages} passages in {docs} document(s), {place}"
            );
            if let Some(semantic) = &engine.semantic {
                line.push_str(&format!(
                    "\nvectors {} with {}: {} passages{}",
                    if semantic.built {
                        "computed"
                    } else {
                        "up to date"
                    },
                    semantic.embedder.name(),
                    semantic.len(),
                    semantic
                        .path
                        .as_ref()
                        .map(|p| format!(", {}", p.display()))
                        .unwrap_or_default()
                ));
            }
            write_out(&mut out, &line)?;
        }
        Command::Run { .. } => {
            // Check the token before the slower start-up.
            crate::discord::gateway::token(&settings)?;
            let engine = std::sync::Arc::new(Engine::open(&settings)?);
            let runtime = runtime()?;
            runtime.block_on(crate::discord::run(&settings, engine, shutdown_signal()))?;
        }
        Command::Model(ModelCommand::Fetch { name }) => {
            let fetched =
                crate::models::fetch(&name, &settings.data_dir, &crate::models::Hub::from_env())
                    .map_err(|e| Error::Command(format!("model fetch: {e}")))?;
            let bytes: u64 = fetched.files.iter().map(|f| f.bytes).sum();
            let mut lines = vec![format!(
                "fetched {} ({} dimensions, {} files, {:.1} MB, checksums verified) into {}",
                fetched.repo,
                fetched.dim,
                fetched.files.len(),
                bytes as f64 / 1e6,
                fetched.dir.display()
            )];
            for f in &fetched.files {
                lines.push(format!(
                    "  {:36} {:>11} bytes  {}",
                    f.name, f.bytes, f.checksum
                ));
            }
            let name = fetched
                .dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name == crate::models::default_name() {
                lines.push(format!(
                    "semantic search is on from now on with the data directory's {name} (unless `[search] model` or CABILDO_MODEL names another; \"none\" turns it off)"
                ));
            } else {
                lines.push(format!(
                    "turn semantic search on with `[search] model = \"{name}\"` in config/cabildo.toml or CABILDO_MODEL={name}"
                ));
            }
            write_out(&mut out, &lines.join("\n"))?;
        }
        Command::Check => {
            let mut lines = Vec::new();
            let mut problems = 0;
            lines.push(format!(
                "config: {}",
                settings.config_file.as_ref().map_or(
                    "none (defaults and environment)".to_string(),
                    |p| format!("{} (valid)", p.display())
                )
            ));
            match load_corpus(&settings) {
                Ok(c) => {
                    lines.push(format!(
                        "texts: {} document(s), {} passages{}",
                        c.documents.len(),
                        c.len(),
                        if c.warnings.is_empty() {
                            String::new()
                        } else {
                            format!(", {} file(s) skipped (see warnings)", c.warnings.len())
                        }
                    ));
                }
                Err(e) => {
                    problems += 1;
                    lines.push(format!("problem: {e}"));
                }
            }
            lines.push(format!("data directory: {}", settings.data_dir.display()));
            // Issue 13: whether semantic search is on, and how to turn it on.
            match &settings.search.model {
                None => lines.push(crate::engine::SEMANTIC_HINT.to_string()),
                Some(m) => {
                    let dir = crate::models::model_dir(m, &settings.data_dir);
                    match crate::embed::Embedder::load(&dir) {
                        Ok(e) => lines.push(format!(
                            "semantic search: on, model {} ({} dimensions) in {}",
                            e.name(),
                            e.dim(),
                            dir.display()
                        )),
                        Err(e) => {
                            problems += 1;
                            lines.push(format!("problem: semantic search: {e}"));
                        }
                    }
                }
            }
            if let Some(shards) = settings.discord.shards {
                lines.push(format!("gateway shards: {shards}"));
            }
            match (
                &settings.discord.token,
                crate::discord::gateway::token(&settings),
            ) {
                (None, _) => {
                    lines.push("DISCORD_TOKEN: not set (needed by run and register)".into())
                }
                (Some(_), Ok(t)) => lines.push(format!(
                    "DISCORD_TOKEN: set, well formed (bot id {})",
                    crate::discord::gateway::token_id(t.expose()).unwrap_or_default()
                )),
                (Some(_), Err(e)) => {
                    problems += 1;
                    lines.push(format!("problem: {e}"));
                }
            }
            match &settings.discord.public_key {
                None => lines.push("DISCORD_PUBLIC_KEY: not set (needed by serve)".into()),
                Some(k) => match crate::server::parse_public_key(k.expose()) {
                    Ok(_) => lines.push("DISCORD_PUBLIC_KEY: set, a valid Ed25519 key".into()),
                    Err(e) => {
                        problems += 1;
                        lines.push(format!("problem: {e}"));
                    }
                },
            }
            write_out(&mut out, &lines.join("\n"))?;
            if problems > 0 {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Serve { listen } => {
            let addr = listen.unwrap_or_else(|| settings.discord.listen.clone());
            if settings.discord.public_key.is_none() {
                return Err(Error::Config(
                    "DISCORD_PUBLIC_KEY is not set: copy the application's public key from the Developer Portal (General Information) into .env".into(),
                ));
            }
            let runtime = runtime()?;
            runtime.block_on(async {
                let listener = tokio::net::TcpListener::bind(&addr)
                    .await
                    .map_err(|e| Error::io(format!("listening on {addr}"), e))?;
                crate::discord::http::serve(&settings, listener, shutdown_signal()).await
            })?;
        }
        Command::Register => {
            crate::discord::gateway::token(&settings)?;
            let runtime = runtime()?;
            let n = runtime.block_on(crate::discord::register(&settings))?;
            let scope = match settings.discord.guild_id {
                Some(g) => format!("to server {g} (available now)"),
                None => "globally (may take up to an hour to appear)".to_string(),
            };
            write_out(&mut out, &format!("registered {n} commands {scope}"))?;
        }
        Command::Invite => {
            write_out(&mut out, &crate::discord::invite_url(&settings)?)?;
        }
        Command::Db { command } => write_out(&mut out, &db(&settings, command)?)?,
        Command::Texts { command } => {
            let Some(guild) = guild else {
                return Err(Error::Config(
                    "`cabildo texts` works on one server's texts: add --guild ID (in Discord: right-click the server → Copy Server ID)".into(),
                ));
            };
            return texts(&settings, guild, command, lang, &mut out);
        }
        Command::Settings {
            command: SettingsCommand::Show,
        } => {
            let Some(guild) = guild else {
                return Err(Error::Config(
                    "`cabildo settings show` needs the server: add --guild ID".into(),
                ));
            };
            let store = settings.open_store()?;
            let server = store.block(store.guild_settings(guild))?;
            let effective = crate::prefs::resolve(
                &crate::prefs::Asked::default(),
                &Default::default(),
                &server,
                &crate::prefs::Defaults::of(&settings),
            );
            let mut lines = vec![format!("server {guild} ({})", store.url())];
            lines.extend(effective.lines().iter().map(|l| l.text(lang)));
            write_out(&mut out, &lines.join("\n"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `cabildo db …`: what to print.
fn db(settings: &Settings, command: DbCommand) -> Result<String> {
    let url = settings.store_url();
    Ok(match command {
        DbCommand::Migrate => {
            let store = crate::store::Store::connect(&url)?;
            let before = store.block(store.status())?;
            store.block(store.migrate())?;
            let applied = before.iter().filter(|m| !m.applied).count();
            format!(
                "{} database {}: {applied} migration(s) applied, {} in all",
                store.kind(),
                store.url(),
                before.len()
            )
        }
        DbCommand::Status => {
            let store = crate::store::Store::connect(&url)?;
            let status = store.block(store.status())?;
            let mut lines = vec![format!("{} database {}", store.kind(), store.url())];
            for m in &status {
                lines.push(format!(
                    "{} {} {}",
                    m.version,
                    if m.applied { "applied" } else { "pending" },
                    m.description
                ));
            }
            if status.iter().any(|m| !m.applied) {
                lines
                    .push("run `cabildo db migrate` (the bot also migrates when it starts)".into());
            }
            lines.join("\n")
        }
        DbCommand::Backup { file } => {
            let store = settings.open_store()?;
            store.block(store.backup(&file))?;
            let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
            format!(
                "backed up {} to {} ({bytes} bytes)",
                store.url(),
                file.display()
            )
        }
    })
}

/// Questions `bench` asks when none are given: a mix of kinds, not tied to one text.
const SAMPLE_QUESTIONS: &[&str] = &[
    "What is dual power?",
    "Who replaced Lozada as president?",
    "general strike",
    "Why did the leaders not take power?",
    "a soft answer turns away wrath",
    "Where was Jesus born?",
    "paris comune principles",
    "What does the author say about the army and the police?",
    "How do I configure a Kubernetes ingress controller?",
    "love",
];
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the async runtime", e))
}

/// Completes on Ctrl-C (or SIGTERM on Unix, as sent by `docker stop` and systemd).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The engine that answers in `guild` (the host's texts and the server's, its vectors computed
/// when a model is on), or the host's alone.
fn engine_for(settings: &Settings, guild: Option<u64>) -> Result<std::sync::Arc<Engine>> {
    let engine = std::sync::Arc::new(Engine::open(settings)?);
    let Some(guild) = guild else {
        return Ok(engine);
    };
    let store = settings.open_store()?;
    let library = std::sync::Arc::new(crate::library::Library::new(engine, Some(store), settings));
    let rt = runtime()?;
    Ok(rt.block_on(async {
        library.engine(Some(guild)).await;
        library.vectors(guild, |_| {}).await;
        library.engine(Some(guild)).await
    }))
}

/// The texts `guild`'s members read, or the host's.
fn corpus_for(settings: &Settings, guild: Option<u64>) -> Result<crate::corpus::Corpus> {
    match guild {
        None => load_corpus(settings),
        Some(_) => Ok(engine_for(settings, guild)?.corpus.clone()),
    }
}

/// `cabildo texts …` on one server's texts, through the same library the bot uses.
fn texts(
    settings: &Settings,
    guild: u64,
    command: TextsCommand,
    lang: crate::i18n::Lang,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let engine = std::sync::Arc::new(Engine::open(settings)?);
    let store = settings.open_store()?;
    let library = std::sync::Arc::new(crate::library::Library::new(engine, Some(store), settings));
    let rt = runtime()?;
    let words = |file: Option<&str>, r: &crate::library::Refusal| {
        crate::render::library::refused(file, r, lang, &crate::render::library::as_is)
    };
    let mut failed = false;
    match command {
        TextsCommand::List => match rt.block_on(library.list(guild)) {
            Ok(l) => write_out(out, &crate::render::library::list_plain(&l))?,
            Err(crate::library::Failure::Refused(r)) => {
                return Err(Error::Command(words(None, &r)));
            }
            Err(crate::library::Failure::Failed(e)) => return Err(e),
        },
        TextsCommand::Remove { document } => {
            let removed = rt.block_on(library.remove(
                guild,
                &document,
                crate::render::library::plan_paused_reason,
            ));
            match removed {
                Ok(r) => write_out(out, &crate::render::library::removed_plain(&r))?,
                Err(crate::library::Failure::Refused(r)) => {
                    return Err(Error::Command(words(None, &r)));
                }
                Err(crate::library::Failure::Failed(e)) => return Err(e),
            }
        }
        TextsCommand::Add {
            files,
            title,
            language,
        } => {
            if title.is_some() && files.len() > 1 {
                return Err(Error::Config(
                    "--title names one text: add the files one at a time to give each a title"
                        .into(),
                ));
            }
            for file in files {
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let bytes = match std::fs::read(&file) {
                    Ok(b) => b,
                    Err(e) => {
                        failed = true;
                        eprintln!("{}: cannot read it: {e}", file.display());
                        continue;
                    }
                };
                let upload = crate::library::Upload {
                    guild,
                    file_name: name.clone(),
                    bytes,
                    title: title.clone(),
                    language: language.clone(),
                    added_by: crate::library::HOST,
                };
                let added = rt.block_on(async {
                    let added = library.add(upload, |_| {}).await?;
                    library
                        .vectors(guild, |p| {
                            if p.total > 0 {
                                tracing::info!(
                                    target: crate::progress::TARGET,
                                    "passage vectors: {} of {}",
                                    p.done,
                                    p.total
                                );
                            }
                        })
                        .await;
                    Ok::<_, crate::library::Failure>(added)
                });
                match added {
                    Ok(a) => write_out(out, &crate::render::library::added_plain(&a))?,
                    Err(crate::library::Failure::Refused(r)) => {
                        failed = true;
                        eprintln!("{}", words(Some(&name), &r));
                    }
                    Err(crate::library::Failure::Failed(e)) => {
                        failed = true;
                        eprintln!("{}: {e}", file.display());
                    }
                }
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn load_corpus(settings: &Settings) -> Result<crate::corpus::Corpus> {
    match &settings.corpus {
        Some(p) => crate::corpus::load_with(p, &settings.formats),
        None => Ok(crate::corpus::embedded()),
    }
}

fn write_out(out: &mut impl Write, s: &str) -> Result<()> {
    match writeln!(out, "{s}") {
        // A closed pipe (`| head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| Error::io("writing output", e)),
    }
}

/// `long_running`: the bot says what it is doing (connected, commands registered) unless the
/// log filter was set to something other than the default.
fn init_logging(settings: &Settings, verbose: u8, long_running: bool) {
    let filter = match verbose {
        0 => std::env::var("RUST_LOG").unwrap_or_else(|_| {
            if long_running && settings.log == "warn" {
                "warn,cabildo=info".to_string()
            } else if settings.log == "warn" {
                // Long work (indexing, embedding) says how far it is (`crate::progress`).
                format!("warn,{}=info", crate::progress::TARGET)
            } else {
                settings.log.clone()
            }
        }),
        1 => "info".to_string(),
        _ => "debug".to_string(),
    };
    let filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
