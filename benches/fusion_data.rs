//! Lab tool for docs/semantic.md (not a test): dumps, for every question of a dev set, the lexical
//! ranking, the dense ranking and which passages hold a gold needle, as JSON lines, so fusion
//! methods can be compared offline. `cargo run --release --example fusion_data -- MODEL_DIR DATA_DIR
//! SET.jsonl [CORPUS]` (no CORPUS: the built-in essay). With `FUSION_EMBED=title` the passages are
//! embedded here with their section's title in front (an experiment; the stored vectors are not used).
//! Other experiments of `FUSION_EMBED` (each described where it is computed below, measured in
//! docs/semantic.md): `maxsent`, `avgsent`, `prf:K:B`, `sec:G`, `nbr:G`, `qkw:G`, `win:W`, `focus`.

use std::path::PathBuf;

use cabildo::config::SearchSettings;
use cabildo::embed::{Role, dot};
use cabildo::engine::Engine;
use cabildo::eval::{load_questions, norm};
use cabildo::search::question::Question;
use cabildo::search::{self, Filter, semantic::top_k};
use unicode_segmentation::UnicodeSegmentation;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let model = PathBuf::from(&args[0]);
    let data = PathBuf::from(&args[1]);
    let set = PathBuf::from(&args[2]);
    let corpus = match args.get(3) {
        Some(c) => cabildo::corpus::load(&PathBuf::from(c))?,
        None => cabildo::corpus::embedded(),
    };
    let engine = Engine::from_corpus(corpus, Some(&data), SearchSettings::default())?
        .with_model(&model, Some(&data))?;
    let sem = engine.semantic.as_ref().ok_or("no model")?;
    let texts: Vec<String> = engine
        .corpus
        .passages()
        .map(|v| norm(&v.passage.text))
        .collect();
    let variant = std::env::var("FUSION_EMBED").unwrap_or_default();
    let titled: Option<Vec<Vec<f32>>> = match variant.as_str() {
        "title" => {
            let texts: Vec<String> = engine
                .corpus
                .passages()
                .map(|v| {
                    let title = v.section.title.as_deref().unwrap_or("").trim();
                    if title.is_empty() {
                        v.passage.text.clone()
                    } else {
                        format!("{title}: {}", v.passage.text)
                    }
                })
                .collect();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            Some(sem.embedder.embed(&refs, Role::Passage)?)
        }
        _ => None,
    };
    // `maxsent` / `avgsent`: each passage's sentences embedded too; a passage's score is the best
    // of its sentences' cosines (maxsent) or the mean of that and the passage's own (avgsent).
    let sentences: Option<Vec<Vec<Vec<f32>>>> = match variant.as_str() {
        "maxsent" | "avgsent" => {
            let mut owner = Vec::new();
            let mut all: Vec<String> = Vec::new();
            for (i, v) in engine.corpus.passages().enumerate() {
                let parts: Vec<&str> = v
                    .passage
                    .text
                    .split_sentence_bounds()
                    .filter(|s| s.split_whitespace().count() >= 3)
                    .collect();
                if parts.len() > 1 {
                    for p in parts {
                        owner.push(i);
                        all.push(p.trim().to_string());
                    }
                }
            }
            let refs: Vec<&str> = all.iter().map(String::as_str).collect();
            let vecs = sem.embedder.embed(&refs, Role::Passage)?;
            let mut per: Vec<Vec<Vec<f32>>> = vec![Vec::new(); texts.len()];
            for (o, v) in owner.into_iter().zip(vecs) {
                per[o].push(v);
            }
            Some(per)
        }
        _ => None,
    };
    // Each passage's (document, section), for the `sec:` and `nbr:` variants.
    let locs: Vec<(u32, u32)> = engine
        .corpus
        .passages()
        .map(|v| (v.loc.doc, v.loc.section))
        .collect();
    // `win:W`: each passage shorter than W words is also embedded inside a window of its
    // neighbours in the same section (added alternately before and after until the window holds W
    // words); the dump then carries every passage's own score and window cosine (`all_own`,
    // `all_win`) so the lab can weigh them offline. Window vectors are cached beside the data.
    let windows: Option<Vec<Vec<f32>>> = match variant
        .strip_prefix("win:")
        .and_then(|x| x.parse::<usize>().ok())
    {
        Some(reach) => {
            let views: Vec<_> = engine.corpus.passages().collect();
            let words: Vec<usize> = views
                .iter()
                .map(|v| v.passage.text.split_whitespace().count())
                .collect();
            let mut wins: Vec<String> = Vec::with_capacity(views.len());
            for (i, v) in views.iter().enumerate() {
                let same = |j: usize| locs[j] == locs[i];
                let (mut a, mut b, mut n) = (i, i, words[i]);
                let mut turn = 0;
                while n < reach {
                    let before = a > 0 && same(a - 1);
                    let after = b + 1 < views.len() && same(b + 1);
                    if !before && !after {
                        break;
                    }
                    if (turn % 2 == 0 && before) || !after {
                        a -= 1;
                        n += words[a];
                    } else {
                        b += 1;
                        n += words[b];
                    }
                    turn += 1;
                }
                let _ = v;
                wins.push(
                    (a..=b)
                        .map(|j| views[j].passage.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                );
            }
            let cache = data.join(format!("lab-win-{reach}-{}.f32", views.len()));
            let dim = sem.embedder.dim();
            let vecs: Vec<Vec<f32>> = match std::fs::read(&cache) {
                Ok(bytes) if bytes.len() == views.len() * dim * 4 => bytes
                    .chunks(dim * 4)
                    .map(|c| {
                        c.chunks(4)
                            .map(|x| f32::from_le_bytes([x[0], x[1], x[2], x[3]]))
                            .collect()
                    })
                    .collect(),
                _ => {
                    let refs: Vec<&str> = wins.iter().map(String::as_str).collect();
                    let vecs = sem.embedder.embed(&refs, Role::Passage)?;
                    let bytes: Vec<u8> = vecs
                        .iter()
                        .flatten()
                        .flat_map(|x| x.to_le_bytes())
                        .collect();
                    std::fs::write(&cache, bytes)?;
                    vecs
                }
            };
            Some(vecs)
        }
        None => None,
    };
    for q in load_questions(&set)? {
        let needles: Vec<String> = q.gold.iter().map(|n| norm(n)).collect();
        let gold: Vec<u32> = texts
            .iter()
            .enumerate()
            .filter(|(_, t)| needles.iter().any(|n| t.contains(n.as_str())))
            .map(|(i, _)| i as u32)
            .collect();
        let searched = engine.read_initials(&q.question);
        // The lab's texts are of one language each: the first document's.
        let language = engine
            .corpus
            .documents
            .first()
            .map(|d| d.language)
            .unwrap_or_default();
        let parsed = Question::parse(&searched, language);
        let out = if parsed.is_empty() {
            Default::default()
        } else {
            search::search(&engine.index, &parsed, &Filter::default())?
        };
        let qv = sem.embed_question(&searched)?;
        let mut scores: Vec<f32> = match &titled {
            Some(vectors) => vectors.iter().map(|v| dot(v, &qv)).collect(),
            None => sem.scores(&qv),
        };
        if let Some(per) = &sentences {
            for (s, sents) in scores.iter_mut().zip(per) {
                let best = sents.iter().map(|v| dot(v, &qv)).fold(f32::MIN, f32::max);
                if sents.is_empty() {
                    continue;
                }
                *s = if variant == "maxsent" {
                    best.max(*s)
                } else {
                    (best.max(*s) + *s) / 2.0
                };
            }
        }
        // `sentpen:B`: each sentence's cosine loses B × (1 − words / 24)² before the passage's
        // blend with its best sentence (the short-passage penalty, for sentences).
        if let Some(b) = variant
            .strip_prefix("sentpen:")
            .and_then(|x| x.parse::<f32>().ok())
        {
            for (ord, s) in scores.iter_mut().enumerate() {
                let sents = sem.sentence_cosines(ord as u32, &qv);
                if sents.is_empty() {
                    continue;
                }
                let Some(view) = engine.corpus.get(ord as u32) else {
                    continue;
                };
                let text = &view.passage.text;
                let own = sem.vector(ord as u32).map_or(*s, |v| dot(&v, &qv));
                let best = sents
                    .iter()
                    .map(|&((a, e), c)| {
                        let w = text.get(a..e).map_or(24, |t| t.split_whitespace().count());
                        let short = (1.0 - w as f32 / 24.0).max(0.0);
                        c - b * short * short
                    })
                    .fold(f32::MIN, f32::max);
                *s = (best.max(own) + own) / 2.0;
            }
        }
        // `prf:K:B`: the question's vector moved towards the mean of the K best passages of the
        // fused ranking (weight B), and scored again (pseudo-relevance feedback).
        if let Some(rest) = variant.strip_prefix("prf:") {
            let mut it = rest.split(':');
            let k: usize = it.next().and_then(|x| x.parse().ok()).unwrap_or(3);
            let b: f32 = it.next().and_then(|x| x.parse().ok()).unwrap_or(0.5);
            let (fused, _) = cabildo::search::fusion::fuse(
                &out.ranked,
                &scores,
                sem.penalties(),
                |_| true,
                &cabildo::search::fusion::PARAMS,
                0.35,
            );
            let mut q2 = qv.clone();
            for f in fused.iter().take(k) {
                if let Some(v) = sem.vector(f.ranked.ord) {
                    for (a, x) in q2.iter_mut().zip(v) {
                        *a += b * x / k as f32;
                    }
                }
            }
            let n = q2.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
            q2.iter_mut().for_each(|x| *x /= n);
            scores = sem.scores(&q2);
        }
        // `sec:G`: each passage's score plus G × the cosine of its section's centroid (the mean of
        // the section's passage vectors); `nbr:G`: plus G × the better of its neighbours' scores
        // in the same section.
        if let Some(g) = variant
            .strip_prefix("sec:")
            .and_then(|x| x.parse::<f32>().ok())
        {
            let mut cent: std::collections::HashMap<(u32, u32), Vec<f32>> = Default::default();
            for (i, l) in locs.iter().enumerate() {
                let v = sem.vector(i as u32).unwrap_or_default();
                let e = cent.entry(*l).or_insert_with(|| vec![0.0; v.len()]);
                e.iter_mut().zip(&v).for_each(|(a, x)| *a += x);
            }
            let sc: std::collections::HashMap<(u32, u32), f32> = cent
                .into_iter()
                .map(|(k, v)| {
                    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
                    (k, dot(&v, &qv) / n)
                })
                .collect();
            for (i, s) in scores.iter_mut().enumerate() {
                *s += g * sc.get(&locs[i]).copied().unwrap_or(0.0);
            }
        }
        if let Some(g) = variant
            .strip_prefix("nbr:")
            .and_then(|x| x.parse::<f32>().ok())
        {
            let base = scores.clone();
            for i in 0..scores.len() {
                let mut best = f32::MIN;
                if i > 0 && locs[i - 1] == locs[i] {
                    best = best.max(base[i - 1]);
                }
                if i + 1 < base.len() && locs[i + 1] == locs[i] {
                    best = best.max(base[i + 1]);
                }
                if best > f32::MIN {
                    scores[i] += g * best;
                }
            }
        }
        // `qkw:G`: mixed with weight G, the scores of the question's content words alone.
        if let Some(g) = variant
            .strip_prefix("qkw:")
            .and_then(|x| x.parse::<f32>().ok())
        {
            let stop = parsed.stop_words();
            let kw: Vec<&str> = parsed
                .sequence
                .iter()
                .zip(&stop)
                .filter(|(_, s)| !**s)
                .map(|(t, _)| t.surface.as_str())
                .collect();
            if !kw.is_empty() {
                let kv = sem.embed_question(&kw.join(" "))?;
                let ks = sem.scores(&kv);
                for (s, k) in scores.iter_mut().zip(ks) {
                    *s = (1.0 - g) * *s + g * k;
                }
            }
        }
        // `focus`: the question's words that are rare in the text (in at most 5, 10 or 20 % of
        // its passages, or absent) embedded alone, and their best dense score: what the question
        // asks beyond the text's general topic, for the out-of-scope experiment.
        let mut focus = serde_json::Map::new();
        if variant == "focus" {
            let n = texts.len().max(1) as f32;
            for share in [0.05f32, 0.1, 0.2] {
                let words: Vec<&str> = out
                    .terms
                    .iter()
                    .zip(&out.idf)
                    .filter(|(t, idf)| {
                        t.synonym_of.is_none() && t.weight >= 1.0 && {
                            // idf = ln(1 + (n − df + 0.5) / (df + 0.5)), solved for df
                            let df = (n + 1.0) / idf.exp() - 0.5;
                            df <= share * n
                        }
                    })
                    .map(|(t, _)| t.corrected_from.as_deref().unwrap_or(t.surface.as_str()))
                    .collect();
                let best = if words.is_empty() {
                    0.0
                } else {
                    let v = sem.embed_question(&words.join(" "))?;
                    sem.scores(&v).into_iter().fold(0.0f32, f32::max)
                };
                focus.insert(
                    format!("{share}"),
                    serde_json::json!([words.join(" "), best]),
                );
            }
        }
        let dense = top_k(&scores, 100, |_| true);
        let lex: Vec<serde_json::Value> = out
            .ranked
            .iter()
            .map(|r| {
                serde_json::json!({"ord": r.ord, "score": r.score, "bm25": r.bm25,
                    "lead": r.lead, "coverage": r.coverage, "confidence": r.confidence,
                    "cos": scores.get(r.ord as usize).copied().unwrap_or(0.0)})
            })
            .collect();
        let gold_cos: Vec<f32> = gold.iter().map(|&g| scores[g as usize]).collect();
        let median_words = {
            let mut all: Vec<usize> = texts.iter().map(|t| t.split_whitespace().count()).collect();
            all.sort_unstable();
            all.get(all.len() / 2).copied().unwrap_or(0)
        };
        // Each ranked passage's length in words (for length priors in the lab).
        let words: std::collections::BTreeMap<String, usize> = out
            .ranked
            .iter()
            .map(|r| r.ord)
            .chain(dense.iter().map(|&(o, _)| o))
            .filter_map(|o| {
                Some((
                    o.to_string(),
                    texts.get(o as usize)?.split_whitespace().count(),
                ))
            })
            .collect();
        let (all_own, all_win): (Vec<f32>, Vec<f32>) = match &windows {
            Some(w) => (
                scores.iter().map(|x| (x * 1e4).round() / 1e4).collect(),
                w.iter()
                    .map(|v| (dot(v, &qv) * 1e4).round() / 1e4)
                    .collect(),
            ),
            None => Default::default(),
        };
        println!(
            "{}",
            serde_json::json!({"id": q.id, "kind": q.kind, "question": q.question,
                "all_own": all_own, "all_win": all_win, "focus": focus,
                "all_words": if windows.is_some() { texts.iter().map(|t| t.split_whitespace().count()).collect() } else { Vec::new() },
                "answerable": !q.gold.is_empty(), "gold": gold, "gold_cos": gold_cos,
                "lex": lex, "dense": dense, "n": texts.len(), "words": words,
                "median_words": median_words})
        );
    }
    Ok(())
}
