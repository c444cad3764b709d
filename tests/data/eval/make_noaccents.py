#!/usr/bin/env python3
"""Make the typed-without-accents twin of a question set (run by hand).

usage: make_noaccents.py SET.jsonl > SET-noaccents.jsonl

Each question's text loses its accents and diaeresis (á→a, ü→u), ñ becomes n and ¿ ¡ are
dropped; the id gets the suffix -na; kind and gold are kept unchanged (gold stays verbatim text).
"""
import json
import sys
import unicodedata


def strip(s):
    s = s.replace("¿", "").replace("¡", "")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", s)


for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip():
        q = json.loads(line)
        q = {"id": q["id"] + "-na", "kind": q["kind"], "question": strip(q["question"]), "gold": q["gold"]}
        print(json.dumps(q, ensure_ascii=False))
