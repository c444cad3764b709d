//! BERT's forward pass (the encoder inside all-MiniLM, BGE, E5 and most sentence-transformers
//! models, and XLM-RoBERTa's, which is the same encoder with its positions counted from the
//! padding id + 1: paraphrase-multilingual-*, LaBSE-like models), written for inference on a CPU. Same arithmetic as the reference implementation, laid
//! out for speed:
//! - every weight matrix is held in half floats, packed for a kernel made for the few rows of a
//!   question (`linear.rs`), which also serves batches of passages;
//! - query, key and value are one product (their weights side by side);
//! - attention softmax and layer norm are candle's fused kernels;
//! - the word-embedding table is held in half floats (half the memory of the whole model);
//! - GELU (in `linear.rs`, applied by the feed-forward layer to its own rows while they are in
//!   cache) uses a closed-form erf without branches, which the compiler vectorises; the
//!   general-purpose `erf` was a third of the time of embedding a batch.
//!
//! Measurements: docs/semantic.md ("Speed").

use candle_core::{DType, Tensor};
use candle_nn::VarBuilder;
use serde::Deserialize;

use super::linear::{Activation, Linear};

/// The fields of a BERT `config.json` the forward pass needs.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    #[serde(default = "default_act")]
    pub hidden_act: String,
    pub max_position_embeddings: usize,
    #[serde(default = "default_types")]
    pub type_vocab_size: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    #[serde(default)]
    pub position_embedding_type: Option<String>,
    #[serde(default)]
    pub model_type: Option<String>,
    #[serde(default)]
    pub pad_token_id: Option<u32>,
}

fn default_act() -> String {
    "gelu".into()
}

fn default_types() -> usize {
    2
}

fn default_eps() -> f64 {
    1e-12
}

impl Config {
    /// Whether this is a RoBERTa-family encoder (`xlm-roberta`, `roberta`).
    pub fn is_roberta(&self) -> bool {
        matches!(self.model_type.as_deref(), Some("xlm-roberta" | "roberta"))
    }

    /// Where positions start in the position table: 0 for BERT; for RoBERTa models the padding
    /// id + 1 (their position ids are `padding_idx + 1 + i`, as in Hugging Face's
    /// `create_position_ids_from_input_ids`).
    pub fn position_offset(&self) -> usize {
        if self.is_roberta() {
            self.pad_token_id.unwrap_or(1) as usize + 1
        } else {
            0
        }
    }

    /// The longest sequence the position table holds.
    pub fn max_tokens(&self) -> usize {
        self.max_position_embeddings
            .saturating_sub(self.position_offset())
    }

    /// Why this model cannot run here, if it cannot.
    pub fn unsupported(&self) -> Option<String> {
        if !matches!(self.hidden_act.as_str(), "gelu" | "relu") {
            return Some(format!(
                "hidden_act {:?}: only gelu and relu are supported",
                self.hidden_act
            ));
        }
        if !matches!(
            self.position_embedding_type.as_deref(),
            None | Some("absolute")
        ) {
            return Some("only absolute position embeddings are supported".into());
        }
        if self.num_attention_heads == 0
            || !self.hidden_size.is_multiple_of(self.num_attention_heads)
        {
            return Some(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                self.hidden_size, self.num_attention_heads
            ));
        }
        None
    }
}

/// Loads `weight` (output × input, as stored) and `bias` as a [`Linear`] layer.
fn dense(vb: VarBuilder, input: usize, output: usize) -> candle_core::Result<Linear> {
    let weight = vb
        .get((output, input), "weight")?
        .flatten_all()?
        .to_vec1::<f32>()?;
    let bias = vb.get(output, "bias")?.to_vec1::<f32>()?;
    Linear::new(&weight, &bias, input, output)
}

struct Norm {
    weight: Tensor,
    bias: Tensor,
    eps: f32,
}

impl Norm {
    fn load(vb: VarBuilder, dim: usize, eps: f64) -> candle_core::Result<Norm> {
        Ok(Norm {
            weight: vb.get(dim, "weight")?,
            bias: vb.get(dim, "bias")?,
            eps: eps as f32,
        })
    }

    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        candle_nn::ops::layer_norm(x, &self.weight, &self.bias, self.eps)
    }
}

struct Layer {
    qkv: Linear,
    attention_out: Linear,
    attention_norm: Norm,
    up: Linear,
    down: Linear,
    out_norm: Norm,
}

impl Layer {
    fn load(vb: VarBuilder, c: &Config) -> candle_core::Result<Layer> {
        let d = c.hidden_size;
        let att = vb.pp("attention");
        // Query, key and value side by side: one (3·d) × d weight.
        let (mut weight, mut bias) = (Vec::with_capacity(3 * d * d), Vec::with_capacity(3 * d));
        for name in ["query", "key", "value"] {
            let p = att.pp("self").pp(name);
            weight.extend(p.get((d, d), "weight")?.flatten_all()?.to_vec1::<f32>()?);
            bias.extend(p.get(d, "bias")?.to_vec1::<f32>()?);
        }
        Ok(Layer {
            qkv: Linear::new(&weight, &bias, d, 3 * d)?,
            attention_out: dense(att.pp("output").pp("dense"), d, d)?,
            attention_norm: Norm::load(att.pp("output").pp("LayerNorm"), d, c.layer_norm_eps)?,
            up: dense(vb.pp("intermediate").pp("dense"), d, c.intermediate_size)?.activated(
                if c.hidden_act == "relu" {
                    Activation::Relu
                } else {
                    Activation::Gelu
                },
            ),
            down: dense(vb.pp("output").pp("dense"), c.intermediate_size, d)?,
            out_norm: Norm::load(vb.pp("output").pp("LayerNorm"), d, c.layer_norm_eps)?,
        })
    }
}

/// A loaded BERT encoder.
pub struct Bert {
    words: Tensor,
    positions: Tensor,
    token_type: Tensor,
    norm: Norm,
    layers: Vec<Layer>,
    heads: usize,
    hidden: usize,
}

impl Bert {
    /// Loads the weights, with or without a `bert.`, `roberta.` (or `<model_type>.`) prefix on
    /// their names.
    pub fn load(vb: VarBuilder, c: &Config) -> candle_core::Result<Bert> {
        let mut vb = vb;
        for prefix in ["bert", "roberta", c.model_type.as_deref().unwrap_or("bert")] {
            if vb.contains_tensor(&format!("{prefix}.embeddings.word_embeddings.weight")) {
                vb = vb.pp(prefix);
                break;
            }
        }
        let d = c.hidden_size;
        let emb = vb.pp("embeddings");
        let layers = (0..c.num_hidden_layers)
            .map(|i| Layer::load(vb.pp("encoder").pp("layer").pp(i.to_string()), c))
            .collect::<candle_core::Result<Vec<_>>>()?;
        let types = emb.get(
            (c.type_vocab_size.max(1), d),
            "token_type_embeddings.weight",
        )?;
        Ok(Bert {
            // Half floats: the table is most of the weights (30,522 × 384 for MiniLM, 47 MB in
            // f32) and only a question's few rows are read; the golden test holds with it.
            words: emb
                .get((c.vocab_size, d), "word_embeddings.weight")?
                .to_dtype(DType::F16)?,
            // The rows a text's positions use (from the model's offset on).
            positions: emb
                .get((c.max_position_embeddings, d), "position_embeddings.weight")?
                .narrow(0, c.position_offset(), c.max_tokens())?,
            // Every token is of type 0 (one text, never a pair).
            token_type: types.get(0)?,
            norm: Norm::load(emb.pp("LayerNorm"), d, c.layer_norm_eps)?,
            layers,
            heads: c.num_attention_heads,
            hidden: d,
        })
    }

    /// Token vectors for a batch of token ids `(batch, len)`; `mask` `(batch, len)` is 1 for a
    /// token and 0 for padding (`None`: no padding). Returns `(batch, len, hidden)`.
    pub fn forward(&self, ids: &Tensor, mask: Option<&Tensor>) -> candle_core::Result<Tensor> {
        let (b, l) = ids.dims2()?;
        let d = self.hidden;
        let x = self
            .words
            .index_select(&ids.flatten_all()?, 0)?
            .to_dtype(DType::F32)?
            .reshape((b, l, d))?
            .broadcast_add(&self.positions.narrow(0, 0, l)?)?
            .broadcast_add(&self.token_type)?
            .reshape((b * l, d))?;
        let mut x = self.norm.forward(&x)?;
        // Padding gets the lowest score, so softmax gives it no weight.
        let bias = match mask {
            Some(m) => Some(
                ((m.ones_like()? - m)? * f64::from(f32::MIN))?
                    .to_dtype(DType::F32)?
                    .reshape((b, 1, 1, l))?,
            ),
            None => None,
        };
        for layer in &self.layers {
            x = self.layer(layer, &x, b, l, bias.as_ref())?;
        }
        x.reshape((b, l, d))
    }

    fn layer(
        &self,
        layer: &Layer,
        x: &Tensor,
        b: usize,
        l: usize,
        bias: Option<&Tensor>,
    ) -> candle_core::Result<Tensor> {
        let (h, d) = (self.heads, self.hidden);
        let hd = d / h;
        // (b·l, 3d) → (3, b, heads, l, head dim)
        let qkv = layer
            .qkv
            .forward(x)?
            .reshape((b, l, 3, h, hd))?
            .permute((2, 0, 3, 1, 4))?
            .contiguous()?;
        let q = (qkv.get(0)? * (1.0 / (hd as f64).sqrt()))?;
        let (k, v) = (qkv.get(1)?, qkv.get(2)?);
        let scores = q.matmul(&k.t()?)?; // (b, heads, l, l)
        let scores = match bias {
            Some(bias) => scores.broadcast_add(bias)?,
            None => scores,
        };
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        let context = probs
            .matmul(&v)? // (b, heads, l, head dim)
            .transpose(1, 2)?
            .contiguous()?
            .reshape((b * l, d))?;
        let a = layer
            .attention_norm
            .forward(&(layer.attention_out.forward(&context)? + x)?)?;
        let up = layer.up.forward(&a)?;
        layer.out_norm.forward(&(layer.down.forward(&up)? + &a)?)
    }
}
