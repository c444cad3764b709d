#!/usr/bin/env python3
"""Fusion lab (docs/semantic.md), not a test: scores fusion methods offline on the dumps of
`cargo run --release --example fusion_data`, exactly as `cabildo eval` scores answers (a refused
answerable question is a miss; an out-of-scope question is right only when refused), over a grid
of constants, then chooses leave-one-text-out.

    python3 benches/fusion_grid.py bolivia=b.jsonl kjv=k.jsonl debian=d.jsonl apache=a.jsonl [--margins] [--short] [--lead]

The dense ranking is made as cabildo makes it: each passage's dense score minus the short-passage
penalty `SHORT_PENALTY × (1 − words / reach)²`, reach = min(SHORT_WORDS, the text's median passage)
(src/search/semantic.rs), while the best
cosine that decides whether a question is answered is the unpenalised one. `--short` runs the
grid of penalty shapes (power, length, size) under the kept fusion instead, with its
leave-one-text-out check.

The fused methods read the lexical ranking as cabildo's fusion does: re-ranked with the weight of
the question words that open each passage (`lead`) added to its BM25 at LEAD_WEIGHT
(src/search/fusion.rs, `with_lead`); the `lexical` row is the lexical ranking alone. `--lead`
runs the grid of that weight under the kept fusion instead.
"""
import itertools
import json
import sys

MIN_CONFIDENCE = 0.35
SHORT_WORDS, SHORT_PENALTY, SHORT_POWER = 24, 0.6, 2
LEAD_WEIGHT = 1.0


def penalised(q, power=SHORT_POWER, words=SHORT_WORDS, size=SHORT_PENALTY):
    """The dump's dense ranking (raw dense scores) re-ranked with a short-passage penalty whose
    reach is `words`, or the text's median passage when that is shorter (as cabildo does)."""
    w = q.get("words", {})
    reach = min(words, q.get("median_words", words)) or 1
    short = lambda o: max(0.0, 1 - w.get(str(o), 10**6) / reach) ** power
    return sorted(((o, c - size * short(o)) for o, c in q["raw_dense"]), key=lambda x: (-x[1], x[0]))


def load(path):
    with open(path) as f:
        qs = [json.loads(line) for line in f if line.strip()]
    for q in qs:
        q["raw_dense"] = q["dense"]
        q["dense"] = penalised(q)
        q["lex_plain"] = q["lex"]
        q["lex"] = with_lead(q["lex_plain"], LEAD_WEIGHT)
    return qs


def with_lead(lex, weight):
    """The lexical ranking as the fusion reads it: question words opening a passage added."""
    s = lambda r: r["score"] + weight * r.get("lead", 0.0) * r["coverage"] ** 2
    return sorted(lex, key=lambda r: (-s(r), r["ord"]))


def lead_grid():
    """Experiment (--lead): the weight of the opening question words, under the kept fusion."""
    for weight in (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0):
        def f(q, w=weight):
            return rrf(dict(q, lex=with_lead(q["lex_plain"], w)), 0.0, 0.9, 10, 0.26)
        yield f"lead weight {weight}", f


def top_cosine(q):
    """The best unpenalised dense score: what decides whether a question is answered."""
    return q["raw_dense"][0][1] if q["raw_dense"] else 0.0


def mix(q, lo, hi, ref, tau, depth=50):
    lex, dense = q["lex"], q["dense"][:max(depth, ref + 1)]
    conf = lex[0]["confidence"] if lex else 0.0
    w = min(max(conf, lo), hi)
    best = lex[0]["score"] if lex else 0.0
    top = top_cosine(q)
    refc = dense[min(ref, len(dense) - 1)][1] if dense else 0.0
    spread = max(top - refc, 1e-6)
    cos = {o: c for o, c in q["dense"]}
    part = lambda c: max((c - refc) / spread, 0.0)
    fused = {}
    for r in lex:
        l = r["score"] / best if best > 0 else 0.0
        fused[r["ord"]] = w * l + (1 - w) * part(r["cos"])
    for o, c in dense[:depth]:
        if o not in fused:
            fused[o] = (1 - w) * part(c)
    ranking = sorted(fused, key=lambda o: (-fused[o], o))
    answered = conf >= MIN_CONFIDENCE or top >= tau
    return ranking, answered


def rrf(q, lo, hi, k, tau, depth=50):
    lex, dense = q["lex"], q["dense"][:depth]
    conf = lex[0]["confidence"] if lex else 0.0
    w = min(max(conf, lo), hi)
    fused = {}
    for i, r in enumerate(lex):
        fused[r["ord"]] = fused.get(r["ord"], 0) + w / (k + i + 1)
    for i, (o, c) in enumerate(dense):
        fused[o] = fused.get(o, 0) + (1 - w) / (k + i + 1)
    ranking = sorted(fused, key=lambda o: (-fused[o], o))
    return ranking, conf >= MIN_CONFIDENCE or top_cosine(q) >= tau


def margins(q):
    """The lexical confidence, the lexical margin (best score minus the second, over the best) and
    the dense margin (best cosine minus the second)."""
    lex, d = q["lex"], q["dense"]
    conf = lex[0]["confidence"] if lex else 0.0
    if len(lex) > 1 and lex[0]["score"] > 0:
        lm = (lex[0]["score"] - lex[1]["score"]) / lex[0]["score"]
    else:
        lm = 1.0 if lex else 0.0
    return conf, lm, (d[0][1] - d[1][1]) if len(d) > 1 else 0.0


def rrf_weighted(q, w, k=10, depth=50, tau=0.26):
    lex, dense = q["lex"], q["dense"][:depth]
    fused = {}
    for i, r in enumerate(lex):
        fused[r["ord"]] = fused.get(r["ord"], 0) + w / (k + i + 1)
    for i, (o, c) in enumerate(dense):
        fused[o] = fused.get(o, 0) + (1 - w) / (k + i + 1)
    conf = lex[0]["confidence"] if lex else 0.0
    return sorted(fused, key=lambda o: (-fused[o], o)), conf >= MIN_CONFIDENCE or top_cosine(q) >= tau


def margin_grid():
    """Experiment (--margins): the lexical weight also follows how far each ranking's best stands
    above its second, as a ratio of the two sureness measures or as a shift of the confidence."""
    for a in (0.5, 1, 2, 3):
        for s in (0.05, 0.1, 0.2):
            def ratio(q, a=a, s=s):
                conf, lm, m1 = margins(q)
                lex_sure = conf * (lm + 0.1) ** (a / 2)
                dense_sure = (m1 / s) ** (a / 2) * 0.5 + 1e-9
                return rrf_weighted(q, min(max(lex_sure / (lex_sure + dense_sure), 0.0), 0.9))

            def shift(q, a=a, s=s):
                conf, lm, m1 = margins(q)
                w = conf + a * 0.1 * (lm - 0.5) - a * 0.05 * (m1 / s - 1)
                return rrf_weighted(q, min(max(w, 0.0), 0.9))

            yield f"rrf k10, margins ratio a{a} s{s}", ratio
            yield f"rrf k10, margins shift a{a} s{s}", shift


def short_grid():
    """Experiment (--short): penalty shapes under the kept fusion (weighted RRF k 10, clamp(0, 0.9));
    size 0 is no penalty."""
    yield "no penalty", lambda q: rrf(dict(q, dense=q["raw_dense"]), 0.0, 0.9, 10, 0.26)
    for power in (1, 2, 3):
        for words in (16, 24, 32, 48):
            for size in (0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0):
                def f(q, a=(power, words, size)):
                    return rrf(dict(q, dense=penalised(q, *a)), 0.0, 0.9, 10, 0.26)
                yield f"short power {power} words {words} size {size}", f


def lexical(q):
    lex = q["lex_plain"]
    conf = lex[0]["confidence"] if lex else 0.0
    return [r["ord"] for r in lex], conf >= MIN_CONFIDENCE


def dense_only(q, tau):
    return [o for o, _ in q["dense"]], top_cosine(q) >= tau


def score(qs, method):
    h1 = h3 = mrr = fa = oos = noos = n = 0
    for q in qs:
        ranking, answered = method(q)
        if not q["answerable"]:
            noos += 1
            oos += not answered
            continue
        n += 1
        if not answered:
            fa += 1  # refused, but its nearest passages are still scored, as `cabildo eval` does
        gold = set(q["gold"])
        for i, o in enumerate(ranking[:10]):
            if o in gold:
                h1 += i == 0
                h3 += i < 3
                mrr += 1 / (i + 1)
                break
    return dict(h1=h1 / n, h3=h3 / n, mrr=mrr / n, fa=fa, oos=f"{oos}/{noos}")


def fmt(s):
    return f"{s['h1']:.3f}/{s['h3']:.3f}/{s['mrr']:.3f} fa{s['fa']} oos{s['oos']}"


def grid():
    rrf_clamps = [(0.0, 1.0), (0.0, 0.9), (0.1, 1.0), (0.2, 1.0), (0.3, 1.0), (0.3, 0.9),
                  (0.5, 1.0), (0.5, 0.9), (0.6, 1.0), (0.6, 0.9)]
    for k in (5, 10, 20, 30, 60):
        for lo, hi in rrf_clamps:
            yield f"rrf k{k} clamp({lo},{hi})", lambda q, a=(lo, hi, k, 0.26): rrf(q, *a)
    for lo, hi in [(0.0, 1.0), (0.0, 0.9), (0.3, 0.9), (0.5, 0.9), (0.5, 1.0), (0.6, 0.9), (0.6, 1.0), (0.7, 1.0)]:
        for ref in (5, 10, 20):
            yield f"mix clamp({lo},{hi}) ref {ref}", lambda q, a=(lo, hi, ref, 0.26): mix(q, *a)


def main():
    sets = {}
    with_margins = "--margins" in sys.argv[1:]
    for arg in (a for a in sys.argv[1:] if not a.startswith("--")):
        name, path = arg.split("=", 1)
        sets[name] = load(path)
    with_short = "--short" in sys.argv[1:]
    methods = [("lexical", lexical), ("dense only", lambda q: dense_only(q, 0.26))]
    if with_short:
        methods += list(short_grid())
    elif "--lead" in sys.argv[1:]:
        methods += list(lead_grid())
    else:
        methods += list(grid())
    if with_margins:
        methods += list(margin_grid())
    table = {}
    for label, m in methods:
        table[label] = {name: score(qs, m) for name, qs in sets.items()}
    mean = lambda row, names, key: sum(row[n][key] for n in names) / len(names)
    print("| method | " + " | ".join(sets) + " | mean hit@1/hit@3/MRR |")
    print("| --- |" + " --- |" * (len(sets) + 1))
    for label, row in table.items():
        means = "/".join(f"{mean(row, list(sets), k):.3f}" for k in ("h1", "h3", "mrr"))
        print(f"| {label} | " + " | ".join(fmt(row[n]) for n in sets) + f" | {means} |")
    print()
    print("| held out | chosen on the other three (mean MRR) | held-out lexical | held-out chosen |")
    print("| --- | --- | --- | --- |")
    for held in sets:
        others = [n for n in sets if n != held]
        best = max(
            (label for label, _ in methods if label not in ("lexical", "dense only")),
            key=lambda l: tuple(mean(table[l], others, k) for k in ("mrr", "h1", "h3")),
        )
        print(f"| {held} | {best} | {fmt(table['lexical'][held])} | {fmt(table[best][held])} |")


if __name__ == "__main__":
    main()
