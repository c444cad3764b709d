//! Hostile text end to end through the real handler and renderer: texts and questions full of
//! mentions, Markdown, zero-width and right-to-left characters, and 10,000-character words. Nothing
//! may ping, break a limit, or panic.

use super::Now;
use std::sync::Arc;

use cabildo::config::SearchSettings;
use cabildo::corpus::{self, Corpus, Format};
use cabildo::discord::commands::Action;
use cabildo::discord::handler::Bot;
use cabildo::engine::Engine;
use cabildo::render::discord as render;

use super::limits::check_message;

fn hostile_corpus() -> Corpus {
    let giant = "w".repeat(10_000);
    let text = format!(
        "@everyone <@123> title\n\n\
         Hey @everyone and @here, ping <@123456789012345678> and <@&987> and <#555> now.\n\n\
         Heading **with** markdown\n\n\
         **Bold** __under__ *it* ~~strike~~ `code` > quote || spoiler || [link](https://x.y) # not heading\n\n\
         Zero\u{200b}width jo\u{2060}iner and right\u{202e}to-left override \u{2066}isolate\u{2069} text.\n\n\
         A giant word {giant} ends here with dynamite.\n\n\
         {}\n",
        "Long passage about assemblies and dynamite. ".repeat(400)
    );
    let doc = corpus::parse("hostile", "Hostile", Format::Text, &text);
    Corpus::new(vec![doc], vec![])
}

fn check(bot: &Bot, action: Action) {
    let reply = bot.handle_now(action.clone());
    let v = serde_json::to_value(render::response(&reply)).expect("serializes");
    if v["type"] != 8 {
        check_message(&v["data"]);
    }
    let m = serde_json::to_value(render::message(&reply)).expect("serializes");
    check_message(&m);
}

#[test]
fn hostile_texts_and_questions_never_ping_or_break_limits() {
    let engine =
        Engine::from_corpus(hostile_corpus(), None, SearchSettings::default()).expect("engine");
    let bot = Bot::new(Arc::new(engine), 1, std::time::Duration::ZERO);
    let giant = "q".repeat(10_000);
    let questions = [
        "@everyone ping <@123456789012345678>",
        "markdown **bold** __under__",
        "zero\u{200b}width right\u{202e}to-left",
        "dynamite",
        "assemblies dynamite",
        giant.as_str(),
        "<@&987> <#555> @here",
    ];
    for q in questions {
        check(
            &bot,
            Action::Ask {
                question: q.to_string(),
                document: None,
                private: Some(false),
            },
        );
        check(
            &bot,
            Action::Find {
                text: q.to_string(),
            },
        );
        check(
            &bot,
            Action::Quote {
                reference: q.to_string(),
            },
        );
        check(
            &bot,
            Action::Read {
                section: q.to_string(),
                paragraph: Some(1),
            },
        );
        check(
            &bot,
            Action::Complete {
                command: "quote".into(),
                option: "reference".into(),
                partial: q.to_string(),
            },
        );
    }
    for section in ["1", "2", "3"] {
        for p in 1..=6 {
            check(
                &bot,
                Action::Read {
                    section: section.into(),
                    paragraph: Some(p),
                },
            );
            check(
                &bot,
                Action::Quote {
                    reference: format!("{section}.{p}"),
                },
            );
        }
    }
    check(&bot, Action::Toc { document: None });
    check(&bot, Action::Help);
}
