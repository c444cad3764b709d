#!/usr/bin/env python3
"""Check a question set's gold needles against its corpus (run by hand; not a test).

usage: check_gold.py SET.jsonl CORPUS [CORPUS ...]

CORPUS is a .txt/.md file or a directory (its .txt/.md files, recursively, as cabildo reads
them). For every question it checks that the line has exactly the fields id, kind, question and
gold; that the id is unique and the kind one of the known kinds; that an out-of-scope (abstain)
question has no gold and every other question has 1-3 needles; and, for every needle, that it
occurs in the corpus after normalising as score.py does (case, quotes, dashes, whitespace), that it lies wholly
inside ONE paragraph (a block between blank lines of one file), and that it is 6-15 words long.
A question of kind no-accents must itself be typed without accents, ñ, ¿ or ¡.
Prints one line per problem and a summary; exits 1 if any needle is missing or crosses paragraphs.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from score import norm  # noqa: E402  (the scorer's own normalisation)

KINDS = {"factual", "paraphrase", "keyword", "exact-quote", "typo", "long", "no-accents",
         "out-of-scope",
         "quote", "abstain"}  # the English sets' names for exact-quote and out-of-scope
NO_GOLD = {"out-of-scope", "abstain"}
ACCENTED = re.compile(r"[áéíóúüñÁÉÍÓÚÜÑ¿¡]")


def corpus_files(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if f.lower().endswith((".txt", ".text", ".md", ".markdown")) and not f.startswith("."):
                        yield os.path.join(root, f)
        else:
            yield p


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    set_path, corpus = sys.argv[1], sys.argv[2:]
    whole, paragraphs = [], []
    for path in corpus_files(corpus):
        text = open(path, encoding="utf-8").read()
        whole.append(norm(text))
        paragraphs.extend(norm(b) for b in re.split(r"\n[ \t]*\n", text) if b.strip())
    whole_text = "\n".join(whole)
    bad = warn = 0
    ids = set()
    lines = [l for l in open(set_path, encoding="utf-8") if l.strip()]
    for line in lines:
        q = json.loads(line)
        qid = q.get("id")
        if set(q) != {"id", "kind", "question", "gold"}:
            print(f"{qid}: fields {sorted(q)}"); bad += 1
        if qid in ids:
            print(f"{qid}: duplicate id"); bad += 1
        ids.add(qid)
        if q.get("kind") not in KINDS:
            print(f"{qid}: unknown kind {q.get('kind')!r}"); bad += 1
        gold = q.get("gold", [])
        if q.get("kind") in NO_GOLD:
            if gold:
                print(f"{qid}: out-of-scope with gold"); bad += 1
            continue
        if not 1 <= len(gold) <= 3:
            print(f"{qid}: {len(gold)} needles"); warn += 1
        if q.get("kind") == "no-accents" and ACCENTED.search(q["question"]):
            print(f"{qid}: no-accents question has accents: {q['question']}"); bad += 1
        for n in gold:
            nn = norm(n)
            words = len(n.split())
            if not 6 <= words <= 15:
                print(f"{qid}: needle of {words} words: {n!r}"); warn += 1
            if nn not in whole_text:
                print(f"{qid}: NOT IN TEXT: {n!r}"); bad += 1
            elif not any(nn in p for p in paragraphs):
                print(f"{qid}: CROSSES PARAGRAPHS: {n!r}"); bad += 1
    print(f"{set_path}: {len(lines)} questions, {bad} errors, {warn} warnings")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
