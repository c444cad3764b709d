#!/usr/bin/env python3
"""Lab tool for docs/semantic.md (not a test): the sentence-transformers side of the speed
comparison, same model directory, same texts as `cargo run --release --example embed_texts`.

    python3 -m venv /tmp/st && /tmp/st/bin/pip install torch sentence-transformers
    cargo run --release --example embed_texts -- dump tests/data/corpora/kjv.md > /tmp/kjv.jsonl
    /usr/bin/time -v /tmp/st/bin/python benches/st_compare.py target/models/all-MiniLM-L6-v2 \\
        /tmp/kjv.jsonl tests/data/eval/dev-kjv.jsonl

Embeds the texts (batch 32, unit vectors; PyTorch on 2 threads), then times each dev question
20 times: its embedding alone, and its embedding plus the exact cosine top 50 over the texts.
"""
import json
import resource
import sys
import time

import numpy as np
import torch
from sentence_transformers import SentenceTransformer

torch.set_num_threads(2)
model_dir, texts_path, questions_path = sys.argv[1:4]
model = SentenceTransformer(model_dir, device="cpu")
questions = [json.loads(line)["question"] for line in open(questions_path) if line.strip()]
texts = [json.loads(line) for line in open(texts_path)]
start = time.time()
vectors = model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"embed {len(texts)} texts: {time.time() - start:.1f} s; peak RSS {peak:.0f} MB", flush=True)
embedding, answer = [], []
for _ in range(20):
    for q in questions:
        t0 = time.perf_counter()
        v = model.encode([q], normalize_embeddings=True, convert_to_numpy=True)[0]
        t1 = time.perf_counter()
        scores = vectors @ v
        np.argpartition(-scores, 50)[:50]
        t2 = time.perf_counter()
        embedding.append((t1 - t0) * 1000)
        answer.append((t2 - t0) * 1000)
for name, times in (("query embedding", embedding), ("embedding + exact cosine top 50", answer)):
    times.sort()
    p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
    print(f"{name}: p50 {p50:.2f} ms, p99 {p99:.2f} ms ({len(times)} questions)")
