//! Fusion step of the search: the lexical ranking and the dense (semantic) ranking combined into
//! one, and the confidence that decides between an answer and "not in the text" taken from both.
//!
//! Each signal is weighed by how sure it is. The lexical ranking is sure when its best passage
//! covers the question (its confidence: the share of the question's rare words it contains); the
//! dense ranking is sure when its best passage is much nearer the question than the rest. The
//! fused score of a passage is `w·L + (1 − w)·D`, with `L` the lexical score relative to the best
//! lexical score, `D` the cosine rescaled between the dense ranking's reference depth and its top,
//! and `w` the lexical confidence of the question (clamped). Chosen by measurement on the four dev
//! texts, with a leave-one-text-out check: see docs/semantic.md.

use crate::search::Ranked;
use crate::search::semantic::top_k;

/// The constants of the method (properties of the method, not of a text).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Passages taken from the dense ranking.
    pub dense_depth: usize,
    /// Rank in the dense ranking whose cosine counts as 0 in `D`.
    pub reference_rank: usize,
    /// The lexical weight is the lexical confidence clamped to `[min_lexical, max_lexical]`.
    pub min_lexical: f32,
    pub max_lexical: f32,
    /// A question is answered when the best cosine reaches this, whatever the lexical confidence.
    pub min_cosine: f32,
}

/// Measured on the four dev texts (docs/semantic.md).
pub const PARAMS: Params = Params {
    dense_depth: 50,
    reference_rank: 10,
    min_lexical: 0.6,
    max_lexical: 1.0,
    min_cosine: 0.26,
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

/// Fuses a lexical ranking (best first) with the cosines of every passage (index = ord); `keep`
/// says which passages the search may return (a document filter). Returns the fused ranking and
/// the confidence of the best answer (0–1, compared with the configured minimum).
pub fn fuse(
    lexical: &[Ranked],
    cosines: &[f32],
    keep: impl Fn(u32) -> bool,
    p: &Params,
    min_confidence: f32,
) -> (Vec<Fused>, f32) {
    let dense = top_k(cosines, p.dense_depth.max(p.reference_rank + 1), keep);
    let lexical_confidence = lexical.first().map_or(0.0, |r| r.confidence);
    let w = lexical_confidence.clamp(p.min_lexical, p.max_lexical);
    let best_lexical = lexical.first().map_or(0.0, |r| r.score);
    let top_cos = dense.first().map_or(0.0, |d| d.1);
    let ref_cos = dense
        .get(p.reference_rank.min(dense.len().saturating_sub(1)))
        .map_or(0.0, |d| d.1);
    let spread = (top_cos - ref_cos).max(1e-6);
    let cos_of = |ord: u32| cosines.get(ord as usize).copied().unwrap_or(0.0);
    let dense_part = |c: f32| ((c - ref_cos) / spread).max(0.0);
    let mut out: Vec<Fused> = Vec::with_capacity(lexical.len() + dense.len());
    let mut seen = std::collections::HashSet::new();
    for r in lexical {
        seen.insert(r.ord);
        let l = if best_lexical > 0.0 {
            r.score / best_lexical
        } else {
            0.0
        };
        let c = cos_of(r.ord);
        out.push(Fused {
            ranked: r.clone(),
            cosine: c,
            fused: w * l + (1.0 - w) * dense_part(c),
        });
    }
    for &(ord, c) in dense.iter().take(p.dense_depth) {
        if !seen.insert(ord) {
            continue;
        }
        out.push(Fused {
            ranked: Ranked {
                ord,
                score: 0.0,
                bm25: 0.0,
                proximity: 0.0,
                coverage: 0.0,
                confidence: 0.0,
                matched: Vec::new(),
            },
            cosine: c,
            fused: (1.0 - w) * dense_part(c),
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
