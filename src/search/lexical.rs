//! Lexical step of the search: analysed question → candidate passages from tantivy (BM25 over the
//! passage, its section title and its neighbours, plus phrase boosts) → reranked by how much of the
//! question each candidate covers, with the lexical confidence of each (see [`super::confidence`]).

use std::collections::HashMap;

use tantivy::collector::TopDocs;
use tantivy::postings::Postings;
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, Term};

use super::confidence;
use crate::analysis;
use crate::error::Result;
use crate::index::{SearchIndex, Vocabulary};
use crate::language::Language;
use crate::search::question::{QueryTerm, Question};

/// Weights of the parts of a passage's score. Each is a property of the method, not of a text.
pub mod weights {
    /// A term in the passage itself.
    pub const TEXT: f32 = 1.0;
    /// A term in the section title.
    pub const TITLE: f32 = 0.4;
    /// A term in the neighbouring passages.
    pub const CONTEXT: f32 = 0.25;
    /// Two question words next to each other in the passage (fading with distance).
    pub const PAIR: f32 = 1.0;
    /// Two adjacent question words as a phrase in the passage (slop 2).
    pub const PHRASE_PAIR: f32 = 0.6;
    /// The whole question as a phrase (quotes).
    pub const PHRASE: f32 = 1.5;
    /// A synonym of a question word, relative to the word.
    pub const SYNONYM: f32 = 0.5;
    /// How much coverage counts when a term is found only in the neighbours.
    pub const CONTEXT_COVERAGE: f32 = 0.5;
    /// How much coverage counts for a term found only in the section title.
    pub const TITLE_COVERAGE: f32 = 0.75;
}

/// At most this many synonyms of one question word are searched.
const MAX_SYNONYMS: usize = 3;

/// A question word among a passage's first this many words opens it: the passage is about it (a
/// heading kept in the passage, a defined term, the subject of its first sentence). Read by the
/// fusion ([`Ranked::lead`]).
pub const LEAD_WORDS: u32 = 3;

/// Words further apart than this get no proximity bonus.
const PROXIMITY_WINDOW: f32 = 10.0;

/// How many candidates tantivy returns for reranking.
const CANDIDATES: usize = 50;

/// One ranked passage.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub ord: u32,
    /// Final score (BM25 parts × coverage factor).
    pub score: f32,
    /// tantivy's score before reranking.
    pub bm25: f32,
    /// Bonus for question words close together in the passage.
    pub proximity: f32,
    /// The weight (idf × weight) of the question words among the passage's first
    /// [`LEAD_WORDS`] words. Not part of `score`: only the fusion with a model reads it
    /// (docs/semantic.md: alone, the lexical ranking lost a question with it).
    pub lead: f32,
    /// Share of the question's weight (idf × weight) found in this passage, 0–1, counting only
    /// words the texts contain.
    pub coverage: f32,
    /// `coverage` × the share of the question's content words the texts contain at all: low when
    /// the question is about something the texts never mention.
    pub confidence: f32,
    /// For each question term: where it matched (`text`, `title`, `context`), empty if nowhere.
    pub matched: Vec<Vec<&'static str>>,
}

/// What a search found, with the question as searched (after typo correction).
#[derive(Debug, Clone, Default)]
pub struct SearchOutcome {
    /// The language the question was analysed in.
    pub language: Language,
    pub terms: Vec<QueryTerm>,
    /// Inverse document frequency of each term (same order as `terms`).
    pub idf: Vec<f32>,
    pub ranked: Vec<Ranked>,
}

/// Restricts a search.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only passages of this document id.
    pub doc_id: Option<String>,
    /// Only passages of documents in this language (a question analysed in one language is
    /// searched against that language's documents when a corpus mixes languages).
    pub language: Option<Language>,
}

/// Runs a question against the index.
pub fn search(index: &SearchIndex, question: &Question, filter: &Filter) -> Result<SearchOutcome> {
    let searcher = index.reader.searcher();
    let f = index.fields;
    let n_docs = searcher.num_docs().max(1) as f32;
    let mut terms = question.terms.clone();
    // Correct words the texts do not contain to the nearest word they do.
    for t in terms.iter_mut() {
        if doc_freq(&searcher, f.text, &t.term) == 0
            && doc_freq(&searcher, f.title, &t.term) == 0
            && !t.expanded
            && let Some(fixed) = correct(index.vocabulary(), &t.surface)
            && let Some(a) = analysis::analyze(&fixed, question.language)
                .into_iter()
                .next()
        {
            t.corrected_from = Some(std::mem::replace(&mut t.surface, fixed));
            t.term = a.term;
        }
    }
    terms.dedup_by(|a, b| a.term == b.term);
    // dedup_by only removes neighbours; remove any later repeat too
    let mut seen = std::collections::HashSet::new();
    terms.retain(|t| seen.insert(t.term.clone()));
    let idf_of = |t: &QueryTerm| idf(n_docs, doc_freq(&searcher, f.text, &t.term));
    // Keep the rarest terms when a question is very long.
    if terms.len() > crate::search::question::MAX_TERMS {
        let idf: Vec<f32> = terms.iter().map(idf_of).collect();
        let mut order: Vec<usize> = (0..terms.len()).collect();
        order.sort_by(|&a, &b| idf[b].total_cmp(&idf[a]));
        order.truncate(crate::search::question::MAX_TERMS);
        order.sort_unstable();
        terms = order.iter().map(|&i| terms[i].clone()).collect();
    }
    // WordNet is English: its synonyms serve English questions only.
    if question.language == Language::ENGLISH {
        add_synonyms(&searcher, f.text, &mut terms);
    }
    let text_df: Vec<u64> = terms
        .iter()
        .map(|t| doc_freq(&searcher, f.text, &t.term))
        .collect();
    let title_df: Vec<u64> = terms
        .iter()
        .map(|t| doc_freq(&searcher, f.title, &t.term))
        .collect();
    let lexicon = Lexicon {
        known: (0..terms.len())
            .map(|k| text_df[k] > 0 || title_df[k] > 0)
            .collect(),
        // A synonym stands in for its word, so it weighs what the word weighs.
        idf: terms
            .iter()
            .enumerate()
            .map(|(k, t)| {
                let word = t
                    .synonym_of
                    .as_ref()
                    .and_then(|w| terms.iter().position(|o| &o.term == w))
                    .unwrap_or(k);
                idf(n_docs, text_df[word])
            })
            .collect(),
        subject: terms.iter().map(|t| t.weight >= 1.0).collect(),
    };
    rank(index, &searcher, question, terms, lexicon, filter)
}

/// What the texts hold of each question term (same order as the terms).
struct Lexicon {
    /// Inverse document frequency in passages (a synonym's is its word's).
    idf: Vec<f32>,
    /// The texts contain the term (in a passage or a section title).
    known: Vec<bool>,
    /// A content word about the subject of the question (counts for the confidence).
    subject: Vec<bool>,
}

fn rank(
    index: &SearchIndex,
    searcher: &Searcher,
    question: &Question,
    terms: Vec<QueryTerm>,
    lexicon: Lexicon,
    filter: &Filter,
) -> Result<SearchOutcome> {
    let Lexicon {
        idf,
        known,
        subject,
    } = lexicon;
    let f = index.fields;
    if terms.is_empty() {
        return Ok(SearchOutcome {
            language: question.language,
            ..SearchOutcome::default()
        });
    }
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let term_query = |field: Field, text: &str, boost: f32| -> (Occur, Box<dyn Query>) {
        let q = TermQuery::new(
            Term::from_field_text(field, text),
            IndexRecordOption::WithFreqs,
        );
        (Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost)))
    };
    for t in terms.iter().filter(|t| t.synonym_of.is_none()) {
        let (_, word) = term_query(f.text, &t.term, weights::TEXT * t.weight);
        let mut alternatives = vec![word];
        for s in terms
            .iter()
            .filter(|s| s.synonym_of.as_ref() == Some(&t.term))
        {
            alternatives.push(term_query(f.text, &s.term, weights::TEXT * s.weight).1);
        }
        should.push(if alternatives.len() == 1 {
            (Occur::Should, alternatives.remove(0))
        } else {
            (
                Occur::Should,
                Box::new(DisjunctionMaxQuery::new(alternatives)),
            )
        });
        should.push(term_query(f.title, &t.term, weights::TITLE * t.weight));
        should.push(term_query(f.context, &t.term, weights::CONTEXT * t.weight));
    }
    // Adjacent question words (stop words skipped) near each other in the passage.
    let mut content: Vec<&QueryTerm> = terms.iter().filter(|t| !t.expanded).collect();
    content.sort_by_key(|t| t.position);
    for pair in content.windows(2) {
        let gap = pair[1].position.saturating_sub(pair[0].position) as usize;
        if pair[0].term == pair[1].term || gap == 0 || gap > 4 {
            continue;
        }
        let q = PhraseQuery::new_with_offset_and_slop(
            vec![
                (0, Term::from_field_text(f.text, &pair[0].term)),
                (gap, Term::from_field_text(f.text, &pair[1].term)),
            ],
            2,
        );
        let w = weights::PHRASE_PAIR * pair[0].weight.min(pair[1].weight);
        should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), w))));
    }
    // The whole question as a phrase, stop words included (exact quotes).
    let seq = &question.sequence;
    if (3..=16).contains(&seq.len()) {
        let first = seq[0].position as usize;
        let phrase: Vec<(usize, Term)> = seq
            .iter()
            .map(|t| {
                (
                    t.position as usize - first,
                    Term::from_field_text(f.text, &t.term),
                )
            })
            .collect();
        // Word for word (slop 0) counts again on top of nearly word for word (slop 1).
        for slop in [1, 0] {
            let q = PhraseQuery::new_with_offset_and_slop(phrase.clone(), slop);
            should.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(q), weights::PHRASE)),
            ));
        }
    }
    let scoring: Box<dyn Query> = Box::new(BooleanQuery::new(should));
    // Filters match without scoring (boost 0).
    let only = |field: Field, value: &str| -> (Occur, Box<dyn Query>) {
        (
            Occur::Must,
            Box::new(BoostQuery::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(field, value),
                    IndexRecordOption::Basic,
                )),
                0.0,
            )),
        )
    };
    let mut filters = Vec::new();
    if let Some(id) = &filter.doc_id {
        filters.push(only(f.doc_id, id));
    }
    if let Some(language) = filter.language {
        filters.push(only(f.language, language.code()));
    }
    let query: Box<dyn Query> = if filters.is_empty() {
        scoring
    } else {
        filters.push((Occur::Must, scoring));
        Box::new(BooleanQuery::new(filters))
    };
    let top = searcher.search(&query, &TopDocs::with_limit(CANDIDATES).order_by_score())?;

    // Which terms each candidate contains, read from the postings (no re-analysis).
    let addrs: Vec<DocAddress> = top.iter().map(|(_, a)| *a).collect();
    // Postings are read only where they are used: positions of the typed words (for proximity),
    // presence of synonyms in the text, of typed words in title and neighbours.
    let words: Vec<Option<&str>> = terms
        .iter()
        .map(|t| t.synonym_of.is_none().then_some(t.term.as_str()))
        .collect();
    let synonym_words: Vec<Option<&str>> = terms
        .iter()
        .map(|t| t.synonym_of.is_some().then_some(t.term.as_str()))
        .collect();
    let text_positions = positions(searcher, f.text, &words, &addrs)?;
    let synonym_in_text = presence(searcher, f.text, &synonym_words, &addrs)?;
    let in_text: Vec<Vec<bool>> = text_positions
        .iter()
        .zip(&synonym_in_text)
        .map(|(per_term, syn)| {
            per_term
                .iter()
                .zip(syn)
                .map(|(p, s)| !p.is_empty() || *s)
                .collect()
        })
        .collect();
    let in_title = presence(searcher, f.title, &words, &addrs)?;
    let in_context = presence(searcher, f.context, &words, &addrs)?;
    let ords = ordinals(searcher, &addrs)?;

    // Coverage counts only words the texts contain; the others lower the confidence instead.
    let total: f32 = terms
        .iter()
        .zip(&idf)
        .zip(&known)
        .filter(|((t, _), k)| **k && t.synonym_of.is_none())
        .map(|((t, i), _)| t.weight * i)
        .sum();
    // For each question word, its synonyms' indexes (they share its share of the coverage).
    let synonyms: Vec<Vec<usize>> = terms
        .iter()
        .map(|t| {
            (0..terms.len())
                .filter(|&s| terms[s].synonym_of.as_ref() == Some(&t.term))
                .collect()
        })
        .collect();
    let content_words = subject.iter().filter(|s| **s).count();
    let unknown_words = subject
        .iter()
        .zip(&known)
        .filter(|(s, k)| **s && !**k)
        .count();
    let known_share = confidence::known_share(content_words, unknown_words);
    let mut ranked = Vec::with_capacity(top.len());
    for (c, (bm25, _)) in top.iter().enumerate() {
        let mut got = 0.0;
        let mut denominator = total;
        let mut matched = Vec::with_capacity(terms.len());
        for (k, t) in terms.iter().enumerate() {
            let w = t.weight * idf[k];
            let mut m = Vec::new();
            if in_text[c][k] {
                m.push("text");
            }
            if in_title[c][k] {
                m.push("title");
            }
            if in_context[c][k] {
                m.push("context");
            }
            if !known[k] || t.synonym_of.is_some() {
                matched.push(m);
                continue;
            }
            got += if in_text[c][k] {
                w
            } else if synonyms[k].iter().any(|&s| in_text[c][s]) {
                w * weights::SYNONYM
            } else if in_title[c][k] {
                w * weights::TITLE_COVERAGE
            } else if in_context[c][k] {
                w * weights::CONTEXT_COVERAGE
            } else {
                if t.weight < 1.0 {
                    // an unmatched word about the asking does not count against a passage
                    denominator -= w;
                }
                0.0
            };
            matched.push(m);
        }
        // Proximity: every pair of distinct question words found close together in the passage,
        // weighted by their rarity, fading as 1/distance, ignored beyond PROXIMITY_WINDOW words.
        let mut proximity = 0.0;
        for i in 0..terms.len() {
            for j in i + 1..terms.len() {
                if terms[i].expanded || terms[j].expanded || !known[i] || !known[j] {
                    continue;
                }
                if let Some(d) = min_distance(&text_positions[c][i], &text_positions[c][j]) {
                    let d = d.max(1) as f32;
                    if d <= PROXIMITY_WINDOW {
                        let fade = 1.0 / d;
                        let w = (terms[i].weight * idf[i] + terms[j].weight * idf[j]) / 2.0;
                        proximity += weights::PAIR * w * fade;
                    }
                }
            }
        }
        let mut lead = 0.0;
        for (k, t) in terms.iter().enumerate() {
            if !t.expanded && known[k] && text_positions[c][k].iter().any(|&p| p < LEAD_WORDS) {
                lead += t.weight * idf[k];
            }
        }
        let coverage = if denominator > 0.0 {
            (got / denominator).clamp(0.0, 1.0)
        } else {
            0.0
        };
        ranked.push(Ranked {
            ord: ords[c],
            score: rerank_score(*bm25, proximity, coverage),
            bm25: *bm25,
            proximity,
            lead,
            coverage,
            confidence: confidence::lexical(coverage, known_share),
            matched,
        });
    }
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.ord.cmp(&b.ord)));
    Ok(SearchOutcome {
        language: question.language,
        terms,
        idf,
        ranked,
    })
}

/// A candidate's score: `(BM25 + bonuses) × coverage²` (the bonuses: proximity here, and the
/// opening words where the fusion reads them, [`crate::search::fusion::with_lead`]).
pub fn rerank_score(bm25: f32, bonuses: f32, coverage: f32) -> f32 {
    (bm25 + bonuses) * coverage * coverage
}

/// Adds WordNet synonyms of the question's content words that the texts contain. A synonym stands in
/// for its word at a lower weight: a passage gets the better of the two, never both.
fn add_synonyms(searcher: &Searcher, text: Field, terms: &mut Vec<QueryTerm>) {
    let originals = terms.len();
    for i in 0..originals {
        if terms[i].expanded || terms[i].weight < 1.0 {
            continue;
        }
        let mut added = 0;
        for syn in crate::synonyms::of(&terms[i].surface) {
            if added == MAX_SYNONYMS {
                break;
            }
            let Some(a) = analysis::analyze(syn, Language::ENGLISH).into_iter().next() else {
                continue;
            };
            if terms.iter().any(|t| t.term == a.term) || doc_freq(searcher, text, &a.term) == 0 {
                continue;
            }
            added += 1;
            terms.push(QueryTerm {
                term: a.term,
                surface: a.surface,
                weight: weights::SYNONYM * terms[i].weight,
                position: terms[i].position,
                corrected_from: None,
                expanded: true,
                synonym_of: Some(terms[i].term.clone()),
            });
        }
    }
}

/// BM25's inverse document frequency of a term found in `text_df` passages.
fn idf(n_docs: f32, text_df: u64) -> f32 {
    let df = text_df as f32;
    (1.0 + (n_docs - df + 0.5) / (df + 0.5)).ln()
}

fn doc_freq(searcher: &Searcher, field: Field, term: &str) -> u64 {
    searcher
        .doc_freq(&Term::from_field_text(field, term))
        .unwrap_or(0)
}

/// Calls `found(candidate, term, postings)` for every candidate whose `field` contains a term
/// (`None` terms are skipped), with the postings positioned on that candidate. One pass per segment
/// and term.
fn for_each_match(
    searcher: &Searcher,
    field: Field,
    terms: &[Option<&str>],
    addrs: &[DocAddress],
    option: IndexRecordOption,
    mut found: impl FnMut(usize, usize, &mut tantivy::postings::SegmentPostings),
) -> Result<()> {
    let mut by_segment: HashMap<u32, Vec<(u32, usize)>> = HashMap::new();
    for (c, a) in addrs.iter().enumerate() {
        by_segment
            .entry(a.segment_ord)
            .or_default()
            .push((a.doc_id, c));
    }
    for (seg, mut docs) in by_segment {
        docs.sort_unstable();
        let inverted = searcher.segment_reader(seg).inverted_index(field)?;
        for (k, t) in terms.iter().enumerate() {
            let Some(t) = t else { continue };
            let term = Term::from_field_text(field, t);
            let Some(mut postings) = inverted
                .read_postings(&term, option)
                .map_err(|e| crate::error::Error::io("reading the index", e))?
            else {
                continue;
            };
            for &(doc, c) in &docs {
                if postings.doc() == TERMINATED {
                    break;
                }
                if postings.doc() <= doc && postings.seek(doc) == doc {
                    found(c, k, &mut postings);
                }
            }
        }
    }
    Ok(())
}

/// `out[candidate][term]`: whether the candidate's `field` contains the term.
fn presence(
    searcher: &Searcher,
    field: Field,
    terms: &[Option<&str>],
    addrs: &[DocAddress],
) -> Result<Vec<Vec<bool>>> {
    let mut out = vec![vec![false; terms.len()]; addrs.len()];
    for_each_match(
        searcher,
        field,
        terms,
        addrs,
        IndexRecordOption::Basic,
        |c, k, _| {
            out[c][k] = true;
        },
    )?;
    Ok(out)
}

/// `out[candidate][term]`: the word positions of the term in the candidate's `field` (which must be
/// indexed with positions), empty when absent.
fn positions(
    searcher: &Searcher,
    field: Field,
    terms: &[Option<&str>],
    addrs: &[DocAddress],
) -> Result<Vec<Vec<Vec<u32>>>> {
    let mut out = vec![vec![Vec::new(); terms.len()]; addrs.len()];
    for_each_match(
        searcher,
        field,
        terms,
        addrs,
        IndexRecordOption::WithFreqsAndPositions,
        |c, k, p| p.positions(&mut out[c][k]),
    )?;
    Ok(out)
}

/// Smallest distance between two sorted position lists.
fn min_distance(a: &[u32], b: &[u32]) -> Option<u32> {
    let (mut i, mut j, mut best) = (0, 0, None::<u32>);
    while i < a.len() && j < b.len() {
        let d = a[i].abs_diff(b[j]);
        best = Some(best.map_or(d, |x| x.min(d)));
        if a[i] < b[j] {
            i += 1;
        } else {
            j += 1;
        }
    }
    best
}

/// Passage ordinals of the hits, from the `ord` fast field.
fn ordinals(searcher: &Searcher, addrs: &[DocAddress]) -> Result<Vec<u32>> {
    let mut columns = HashMap::new();
    let mut out = Vec::with_capacity(addrs.len());
    for a in addrs {
        if let std::collections::hash_map::Entry::Vacant(e) = columns.entry(a.segment_ord) {
            e.insert(
                searcher
                    .segment_reader(a.segment_ord)
                    .fast_fields()
                    .u64("ord")?,
            );
        }
        let ord = columns
            .get(&a.segment_ord)
            .and_then(|c| c.first(a.doc_id))
            .unwrap_or(u64::MAX);
        out.push(u32::try_from(ord).unwrap_or(u32::MAX));
    }
    Ok(out)
}

/// The nearest word of the texts to `word` (edit distance 1 for words of 5–8 letters, 2 from 9),
/// starting with the same letter, preferring the most frequent. None for short words, numbers, or
/// nothing close.
fn correct(vocabulary: &Vocabulary, word: &str) -> Option<String> {
    let len = word.chars().count();
    if len < 5 || word.chars().any(|c| c.is_ascii_digit()) || len > analysis::MAX_WORD_BYTES {
        return None;
    }
    let max = if len >= 9 { 2 } else { 1 };
    let first = word.chars().next()?;
    let target: Vec<char> = word.chars().collect();
    let mut best: Option<(usize, u32, &str)> = None;
    for (cand, df) in vocabulary.near(first, len - max..=len + max) {
        let Some(d) = bounded_distance(&target, cand, max) else {
            continue;
        };
        let better = match best {
            None => true,
            Some((bd, bdf, bw)) => d < bd || (d == bd && (df > bdf || (df == bdf && cand < bw))),
        };
        if better {
            best = Some((d, df, cand));
        }
    }
    best.map(|(_, _, w)| w.to_string())
}

/// Optimal-string-alignment distance between `a` and `b` if it is at most `max`.
fn bounded_distance(a: &[char], b: &str, max: usize) -> Option<usize> {
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[m] <= max).then_some(prev[m])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits_and_transpositions() {
        let d = |a: &str, b: &str| bounded_distance(&a.chars().collect::<Vec<_>>(), b, 2);
        assert_eq!(d("comune", "commune"), Some(1));
        assert_eq!(d("teh", "the"), Some(1));
        assert_eq!(d("kubernetes", "kingdom"), None);
        assert_eq!(d("same", "same"), Some(0));
    }
}
