//! Fusion step of the search: the lexical ranking and the dense (semantic) ranking combined into
//! one, and the confidence that decides between an answer and "not in the text" taken from both.
//!
//! Each ranking votes by reciprocal rank, weighed by how sure the lexical side is: a passage's
//! fused score is `w / (k + lexical rank) + (1 − w) / (k + dense rank)`, with `w` the lexical
//! confidence of the question (the share of its rare words the best passage holds), capped so
//! the model always has a say. A question whose words the text holds is ranked mostly lexically;
//! one asked in other words leans on the model. Ranks rather than scores: the two scales (BM25
//! with proximity, cosines) need no normalising against each other. The dense ranking is by
//! cosine less each passage's short-passage penalty (headings and bylines lie close to every
//! question on their topic; `semantic::short_passage_penalty`); the confidence reads the cosine
//! itself. The lexical ranking is read with the question words that open a passage (a heading
//! kept in it, a defined term) added to its BM25 ([`with_lead`]); alone, without the model's
//! vote beside it, the lexical ranking is better without them. Chosen by measurement on the four
//! dev texts, with a leave-one-text-out check: see docs/semantic.md.

use crate::search::Ranked;
use crate::search::lexical::rerank_score;
use crate::search::semantic::top_k;

/// The constants of the method (properties of the method, not of a text).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Passages taken from the dense ranking.
    pub dense_depth: usize,
    /// The `k` of reciprocal-rank fusion: how fast a vote fades with rank.
    pub rank_offset: f32,
    /// The lexical weight is the lexical confidence clamped to `[min_lexical, max_lexical]`.
    pub min_lexical: f32,
    pub max_lexical: f32,
    /// A question is answered when the best cosine reaches this, whatever the lexical confidence.
    pub min_cosine: f32,
    /// The lexical ranking is read with the question words that open a passage
    /// ([`Ranked::lead`]) added to its BM25 at this weight.
    pub lead_weight: f32,
}

/// Measured on the four dev texts (docs/semantic.md).
pub const PARAMS: Params = Params {
    dense_depth: 50,
    rank_offset: 10.0,
    min_lexical: 0.0,
    max_lexical: 0.9,
    min_cosine: 0.26,
    lead_weight: 1.0,
};

/// One passage of the fused ranking.
#[derive(Debug, Clone)]
pub struct Fused {
    /// The lexical ranking's entry, or one with no lexical evidence for a passage only the dense
    /// ranking found.
    pub ranked: Ranked,
    /// Cosine of the passage with the question.
    pub cosine: f32,
    pub fused: f32,
}

/// Fuses a lexical ranking (best first) with the cosines of every passage (index = ord); the
/// dense ranking orders passages by cosine minus `penalties` (same index; missing = 0: what a
/// short passage loses, [`crate::search::semantic::short_passage_penalty`]); `keep` says which
/// passages the search may return (a document filter). Returns the fused ranking and the
/// confidence of the best answer (0–1, compared with the configured minimum), which reads the
/// best cosine as it is.
pub fn fuse(
    lexical: &[Ranked],
    cosines: &[f32],
    penalties: &[f32],
    keep: impl Fn(u32) -> bool,
    p: &Params,
    min_confidence: f32,
) -> (Vec<Fused>, f32) {
    let ranked_by: Vec<f32> = cosines
        .iter()
        .enumerate()
        .map(|(ord, c)| c - penalties.get(ord).copied().unwrap_or(0.0))
        .collect();
    let dense = top_k(&ranked_by, p.dense_depth.max(1), &keep);
    // The best cosine, as it is, among the passages the search may return.
    let mut top_cos = 0.0f32;
    for (ord, &c) in cosines.iter().enumerate() {
        if c > top_cos && keep(ord as u32) {
            top_cos = c;
        }
    }
    let lexical = &with_lead(lexical, p.lead_weight);
    let lexical_confidence = lexical.first().map_or(0.0, |r| r.confidence);
    let w = lexical_confidence.clamp(p.min_lexical, p.max_lexical);
    let vote = |rank: usize| 1.0 / (p.rank_offset + rank as f32 + 1.0);
    let cos_of = |ord: u32| cosines.get(ord as usize).copied().unwrap_or(0.0);
    let mut out: Vec<Fused> = Vec::with_capacity(lexical.len() + dense.len());
    let mut at = std::collections::HashMap::with_capacity(out.capacity());
    for (rank, r) in lexical.iter().enumerate() {
        at.insert(r.ord, out.len());
        out.push(Fused {
            ranked: r.clone(),
            cosine: cos_of(r.ord),
            fused: w * vote(rank),
        });
    }
    for (rank, &(ord, _)) in dense.iter().enumerate() {
        let part = (1.0 - w) * vote(rank);
        if let Some(f) = at.get(&ord).and_then(|&i| out.get_mut(i)) {
            f.fused += part;
            continue;
        }
        at.insert(ord, out.len());
        out.push(Fused {
            ranked: Ranked {
                ord,
                score: 0.0,
                bm25: 0.0,
                proximity: 0.0,
                lead: 0.0,
                coverage: 0.0,
                confidence: 0.0,
                matched: Vec::new(),
            },
            cosine: cos_of(ord),
            fused: part,
        });
    }
    out.sort_by(|a, b| {
        b.fused
            .total_cmp(&a.fused)
            .then(a.ranked.ord.cmp(&b.ranked.ord))
    });
    // Answered when either signal is sure: the lexical confidence as without a model, or a best
    // cosine high enough (mapped onto the same scale, so the one threshold decides).
    let confidence =
        super::confidence::with_model(lexical_confidence, top_cos, p.min_cosine, min_confidence);
    (out, confidence)
}

/// The lexical ranking as the fusion reads it: re-ranked with the question words that open a
/// passage added to its BM25 (`(bm25 + proximity + weight × lead) × coverage²`; the lexical
/// score is the same without `lead`). A passage that opens with the question's words — a heading
/// kept in it, a defined term, the subject of its first sentence — is about them.
pub fn with_lead(lexical: &[Ranked], weight: f32) -> Vec<Ranked> {
    let mut out = lexical.to_vec();
    if weight != 0.0 {
        let score = |r: &Ranked| rerank_score(r.bm25, r.proximity + weight * r.lead, r.coverage);
        out.sort_by(|a, b| score(b).total_cmp(&score(a)).then(a.ord.cmp(&b.ord)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lexical ranking of `ords`, best first, whose best passage has `confidence`.
    fn lexical(ords: &[u32], confidence: f32) -> Vec<Ranked> {
        ords.iter()
            .enumerate()
            .map(|(i, &ord)| Ranked {
                ord,
                score: 10.0 - i as f32,
                bm25: 10.0 - i as f32,
                proximity: 0.0,
                lead: 0.0,
                coverage: 1.0,
                confidence,
                matched: Vec::new(),
            })
            .collect()
    }

    #[test]
    fn question_words_that_open_a_passage_lift_it_in_the_fusion_only() {
        let mut lex = lexical(&[7, 8, 9], 1.0);
        // passage 9 opens with the question's words: 8 + 3 × 1.0 beats 10 and 9
        lex[2].lead = 3.0;
        let read = with_lead(&lex, 1.0);
        assert_eq!(read.iter().map(|r| r.ord).collect::<Vec<_>>(), [9, 7, 8]);
        // at weight 0, or with no lead anywhere, the lexical order stands
        assert_eq!(
            with_lead(&lex, 0.0)
                .iter()
                .map(|r| r.ord)
                .collect::<Vec<_>>(),
            [7, 8, 9]
        );
        let (fused, _) = fuse(&lex, &[], &[], |_| true, &PARAMS, 0.35);
        assert_eq!(order(&fused), [9, 7, 8]);
        let plain = Params {
            lead_weight: 0.0,
            ..PARAMS
        };
        let (fused, _) = fuse(&lex, &[], &[], |_| true, &plain, 0.35);
        assert_eq!(order(&fused), [7, 8, 9]);
    }

    fn order(fused: &[Fused]) -> Vec<u32> {
        fused.iter().map(|f| f.ranked.ord).collect()
    }

    /// Cosines of passages 0..5: the dense ranking is 4, 3, 2, 1, 0.
    const COSINES: [f32; 5] = [0.1, 0.2, 0.3, 0.4, 0.5];

    #[test]
    fn a_question_whose_words_are_found_is_ranked_lexically() {
        let (fused, confidence) = fuse(
            &lexical(&[0, 1, 2], 1.0),
            &COSINES,
            &[],
            |_| true,
            &PARAMS,
            0.35,
        );
        // The lexical order leads; the passages only the model found come after.
        assert_eq!(order(&fused)[..3], [0, 1, 2]);
        assert_eq!(fused.len(), 5);
        assert_eq!(confidence, 1.0);
    }

    #[test]
    fn a_question_in_other_words_leans_on_the_model() {
        let (fused, confidence) = fuse(
            &lexical(&[0, 1], 0.1),
            &COSINES,
            &[],
            |_| true,
            &PARAMS,
            0.35,
        );
        assert_eq!(order(&fused), [4, 3, 1, 2, 0]);
        // The best cosine (0.5) vouches for the question although its words were not found.
        assert_eq!(confidence, 0.35);
        let (_, confidence) = fuse(
            &lexical(&[0, 1], 0.1),
            &[0.1; 5],
            &[],
            |_| true,
            &PARAMS,
            0.35,
        );
        assert!(confidence < 0.35);
    }

    #[test]
    fn the_model_always_has_a_say() {
        // Lexically 0 just before 1, at full lexical confidence; the model ranks 1 first and 0
        // below its whole dense ranking. The model's vote decides between the two neighbours.
        let mut cosines: Vec<f32> = (0..60).map(|i| i as f32 / 200.0).collect();
        cosines[0] = -1.0;
        cosines[1] = 0.9;
        let (fused, _) = fuse(
            &lexical(&[0, 1], 1.0),
            &cosines,
            &[],
            |_| true,
            &PARAMS,
            0.35,
        );
        assert_eq!(order(&fused)[..2], [1, 0]);
        // When the model agrees, the lexical order stands.
        let (fused, _) = fuse(
            &lexical(&[0, 1], 1.0),
            &[0.0; 2],
            &[],
            |_| true,
            &PARAMS,
            0.35,
        );
        assert_eq!(order(&fused), [0, 1]);
    }

    /// A penalised passage drops in the dense ranking, but the best cosine that decides whether
    /// the question is answered is its own.
    #[test]
    fn penalties_reorder_the_dense_ranking_but_not_the_confidence() {
        // Passage 4 has the best cosine (0.5) and a penalty that puts it below 0.3.
        let penalties = [0.0, 0.0, 0.0, 0.0, 0.25];
        let (fused, confidence) = fuse(
            &lexical(&[], 0.0),
            &[0.1, 0.2, 0.3, 0.4, 0.5],
            &penalties,
            |_| true,
            &PARAMS,
            0.35,
        );
        assert_eq!(order(&fused), [3, 2, 4, 1, 0]);
        // The reported cosine is the passage's own.
        assert_eq!(fused[2].cosine, 0.5);
        assert_eq!(confidence, 0.35, "answered on the unpenalised best cosine");
        // Without penalties the same cosines rank 4 first.
        let (plain, _) = fuse(&lexical(&[], 0.0), &COSINES, &[], |_| true, &PARAMS, 0.35);
        assert_eq!(order(&plain)[0], 4);
        // The filter applies to the confidence too: only passage 0 kept, its cosine 0.1.
        let (_, confidence) = fuse(
            &lexical(&[], 0.0),
            &COSINES,
            &penalties,
            |o| o == 0,
            &PARAMS,
            0.35,
        );
        assert!(confidence < 0.35);
    }

    #[test]
    fn the_document_filter_holds_for_passages_only_the_model_found() {
        let (fused, _) = fuse(
            &lexical(&[0], 0.1),
            &COSINES,
            &[],
            |ord| ord % 2 == 0,
            &PARAMS,
            0.35,
        );
        assert_eq!(order(&fused), [4, 0, 2]);
        let (fused, confidence) = fuse(&[], &[], &[], |_| true, &PARAMS, 0.35);
        assert!(fused.is_empty());
        assert_eq!(confidence, 0.0);
    }
}
