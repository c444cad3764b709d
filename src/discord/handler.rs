//! An [`Action`] in, a [`Reply`] out: the bot's behaviour as plain data. It calls the shared use
//! cases ([`crate::answer::ask`], [`crate::lookup`]) and knows nothing of the connection to
//! Discord, so the gateway and an HTTP interactions endpoint share it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::answer::{AskOptions, ask};
use crate::discord::commands::{Action, ButtonId, QuestionKey, question_hash};
use crate::discord::reply::{AnswerReply, Body, Help, Nav, QuoteReply, Reply};
use crate::engine::Engine;
use crate::error::Error;
use crate::lookup;
use crate::reference::{Reference, find_document};

/// How many long questions are remembered for their "more results" buttons.
const REMEMBERED_QUESTIONS: usize = 10_000;

/// Deepest page a "more results" button may ask for.
const MAX_OFFSET: usize = 200;

/// Shown when a button's custom id is not one this bot made, or points at text that is gone.
pub const STALE: &str = "That button no longer works (the bot was updated or restarted, or the texts changed). Please run the command again.";

/// The bot's state shared by every request: the engine, remembered questions, cooldowns.
#[derive(Debug)]
pub struct Bot {
    pub engine: Arc<Engine>,
    questions: Mutex<HashMap<u64, String>>,
    cooldown: Duration,
    last_seen: Mutex<HashMap<u64, Instant>>,
}

impl Bot {
    pub fn new(engine: Arc<Engine>, cooldown_seconds: u64) -> Self {
        Bot {
            engine,
            questions: Mutex::new(HashMap::new()),
            cooldown: Duration::from_secs(cooldown_seconds),
            last_seen: Mutex::new(HashMap::new()),
        }
    }

    /// Records a request of `user` at `now`; `Some(seconds to wait)` when it comes too soon.
    pub fn cooldown(&self, user: u64, now: Instant) -> Option<u64> {
        if self.cooldown.is_zero() {
            return None;
        }
        let mut seen = self.last_seen.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(last) = seen.get(&user) {
            let elapsed = now.saturating_duration_since(*last);
            if elapsed < self.cooldown {
                let left = self.cooldown - elapsed;
                return Some(left.as_secs() + u64::from(left.subsec_nanos() > 0));
            }
        }
        if seen.len() > 10_000 {
            let cd = self.cooldown;
            seen.retain(|_, t| now.saturating_duration_since(*t) < cd);
        }
        seen.insert(user, now);
        None
    }

    /// Answers one action.
    pub fn handle(&self, action: Action) -> Reply {
        match action {
            Action::Ask {
                question,
                document,
                private,
            } => self.ask(&question, document.as_deref(), 0, private, false),
            Action::Find { text } => {
                if text.trim().is_empty() {
                    Reply::notice("That message has no text to search for.")
                } else {
                    self.ask(&text, None, 0, true, false)
                }
            }
            Action::Quote { reference } => match lookup::quote(&self.engine.corpus, &reference) {
                Ok(quote) => Reply::public(Body::Quote(QuoteReply { quote, nav: None })),
                Err(e) => Reply::notice(e.to_string()),
            },
            Action::Read { section, paragraph } => self.read(&section, paragraph),
            Action::Toc { document } => match lookup::toc(&self.engine.corpus, document.as_deref())
            {
                Ok(toc) => Reply::public(Body::Toc(toc)),
                Err(e) => Reply::notice(e.to_string()),
            },
            Action::Help => Reply::private(Body::Help(self.help())),
            Action::Complete {
                command,
                option,
                partial,
            } => Reply::private(Body::Choices(self.complete(&command, &option, &partial))),
            Action::Button(b) => self.button(b),
            Action::Stale => Reply::notice(STALE),
        }
    }

    fn ask(
        &self,
        question: &str,
        document: Option<&str>,
        offset: usize,
        private: bool,
        update: bool,
    ) -> Reply {
        let corpus = &self.engine.corpus;
        let opts = AskOptions {
            top: None,
            offset,
            document: document.map(str::to_string),
            explain: false,
        };
        let answer = match ask(&self.engine, question, &opts) {
            Ok(a) => a,
            Err(Error::User(u)) => return Reply::notice(u.to_string()),
            Err(e) => {
                tracing::error!(error = %e, question, "answering a question failed");
                return Reply::private(Body::Apology);
            }
        };
        let doc = document.and_then(|d| find_document(corpus, d));
        let shown = answer.results.len();
        let more = (answer.answered && answer.more).then(|| {
            let next = offset + shown;
            let key = QuestionKey::for_question(question, next, doc);
            if let QuestionKey::Hash(h) = key {
                self.remember(h, question);
            }
            ButtonId::More {
                offset: next,
                doc,
                question: key,
            }
        });
        let first = (answer.answered && offset > 0).then(|| ButtonId::More {
            offset: 0,
            doc,
            question: QuestionKey::for_question(question, 0, doc),
        });
        if let Some(ButtonId::More {
            question: QuestionKey::Hash(h),
            ..
        }) = &first
        {
            self.remember(*h, question);
        }
        let body = Body::Answer(AnswerReply {
            answer,
            offset,
            more,
            first,
        });
        Reply {
            body,
            private,
            update,
        }
    }

    fn remember(&self, hash: u64, question: &str) {
        let mut q = self.questions.lock().unwrap_or_else(|e| e.into_inner());
        if q.len() >= REMEMBERED_QUESTIONS {
            q.clear();
        }
        q.insert(hash, question.to_string());
    }

    fn button(&self, b: ButtonId) -> Reply {
        let corpus = &self.engine.corpus;
        match b {
            ButtonId::More {
                offset,
                doc,
                question,
            } => {
                if offset > MAX_OFFSET {
                    return Reply::notice(STALE);
                }
                let question = match question {
                    QuestionKey::Text(t) => t,
                    QuestionKey::Hash(h) => {
                        let q = self.questions.lock().unwrap_or_else(|e| e.into_inner());
                        match q.get(&h) {
                            Some(t) if question_hash(t) == h => t.clone(),
                            _ => return Reply::notice(STALE),
                        }
                    }
                };
                let document = match doc {
                    Some(d) => match corpus.documents.get(d as usize) {
                        Some(d) => Some(d.id.clone()),
                        None => return Reply::notice(STALE),
                    },
                    None => None,
                };
                self.ask(&question, document.as_deref(), offset, false, true)
            }
            ButtonId::Full(at) => match lookup::quote_at(corpus, at) {
                Ok(quote) => Reply::private(Body::Quote(QuoteReply { quote, nav: None })),
                Err(_) => Reply::notice(STALE),
            },
            ButtonId::Near(at) => {
                let Some(section) = at.section(corpus) else {
                    return Reply::notice(STALE);
                };
                let p = at.passages.map_or(1, |(a, _)| a);
                let last = section.passages.len() as u32;
                if p == 0 || p > last {
                    return Reply::notice(STALE);
                }
                let around = Reference {
                    passages: Some((p.saturating_sub(1).max(1), (p + 1).min(last))),
                    ..at
                };
                match lookup::quote_at(corpus, around) {
                    Ok(quote) => Reply::private(Body::Quote(QuoteReply { quote, nav: None })),
                    Err(_) => Reply::notice(STALE),
                }
            }
            ButtonId::Read(at) => match self.reading(at) {
                Some(body) => Reply::update(body),
                None => Reply::notice(STALE),
            },
        }
    }

    fn read(&self, section: &str, paragraph: Option<u32>) -> Reply {
        let corpus = &self.engine.corpus;
        let at = match Reference::parse(section, corpus) {
            Ok(r) => r,
            Err(e) => return Reply::notice(e.to_string()),
        };
        let p = paragraph.unwrap_or_else(|| at.passages.map_or(1, |(a, _)| a));
        let at = Reference::passage(at.doc, at.section, p);
        if let Err(e) = at.check(corpus) {
            return Reply::notice(e.to_string());
        }
        match self.reading(at) {
            Some(body) => Reply::public(body),
            None => Reply::notice(STALE),
        }
    }

    /// One passage with the references before and after it in the document.
    fn reading(&self, at: Reference) -> Option<Body> {
        let corpus = &self.engine.corpus;
        let quote = lookup::quote_at(corpus, at).ok()?;
        let document = at.document(corpus)?;
        let p = at.passages.map_or(1, |(a, _)| a);
        let prev = if p > 1 {
            Some(Reference::passage(at.doc, at.section, p - 1))
        } else {
            document
                .sections
                .iter()
                .rev()
                .filter(|s| s.number < at.section)
                .find(|s| !s.passages.is_empty())
                .map(|s| Reference::passage(at.doc, s.number, s.passages.len() as u32))
        };
        let last = at.section(corpus)?.passages.len() as u32;
        let next = if p < last {
            Some(Reference::passage(at.doc, at.section, p + 1))
        } else {
            document
                .sections
                .iter()
                .filter(|s| s.number > at.section)
                .find(|s| !s.passages.is_empty())
                .map(|s| Reference::passage(at.doc, s.number, 1))
        };
        Some(Body::Quote(QuoteReply {
            quote,
            nav: Some(Nav { prev, next }),
        }))
    }

    fn help(&self) -> Help {
        let corpus = &self.engine.corpus;
        let example_ref = corpus
            .documents
            .first()
            .and_then(|d| {
                let s = d.sections.iter().find(|s| !s.passages.is_empty())?;
                Some(Reference::passage(0, s.number, 1).short(corpus))
            })
            .unwrap_or_else(|| "1.1".to_string());
        Help {
            documents: corpus
                .documents
                .iter()
                .map(|d| (d.id.clone(), d.title.clone(), d.passage_count()))
                .collect(),
            example_ref,
        }
    }

    /// Autocomplete: documents for `document`, section titles for references.
    fn complete(&self, command: &str, option: &str, partial: &str) -> Vec<(String, String)> {
        let corpus = &self.engine.corpus;
        let needle = partial.trim().to_lowercase();
        if option == "document" {
            return corpus
                .documents
                .iter()
                .filter(|d| {
                    needle.is_empty()
                        || d.id.contains(&needle)
                        || d.title.to_lowercase().contains(&needle)
                })
                .take(25)
                .map(|d| (format!("{} ({})", d.title, d.id), d.id.clone()))
                .collect();
        }
        if !matches!(command, "quote" | "read") {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (i, d) in corpus.documents.iter().enumerate() {
            for s in &d.sections {
                let at = Reference {
                    doc: i as u32,
                    section: s.number,
                    passages: None,
                };
                let name = match &s.title {
                    Some(t) => format!("{} — §{}", t, s.number),
                    None => format!("§{} (opening)", s.number),
                };
                let name = if corpus.is_multi() {
                    format!("{}: {}", d.id, name)
                } else {
                    name
                };
                let value = at.short(corpus);
                if needle.is_empty()
                    || name.to_lowercase().contains(&needle)
                    || value.starts_with(&needle)
                {
                    out.push((name, value));
                    if out.len() == 25 {
                        return out;
                    }
                }
            }
        }
        // A typed reference that parses but matches no title (e.g. `2.3`) is offered as is.
        if out.is_empty() && Reference::parse(partial, corpus).is_ok() {
            out.push((partial.trim().to_string(), partial.trim().to_string()));
        }
        out
    }
}
