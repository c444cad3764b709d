//! The model's weights, read from its `model.safetensors` one tensor at a time as the model asks
//! for them. Memory-mapping the file (candle's usual loader) keeps every page of it resident
//! while the model copies the tensors out: 90 MB for MiniLM on top of the model itself, which was
//! most of the peak memory of starting with a model (docs/semantic.md). Reading on demand holds
//! one tensor at a time, and needs no `unsafe`.
//!
//! The format: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
//! shape and byte range, then the data.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Mutex;

use candle_core::{DType, Device, Shape, Tensor};
use serde::Deserialize;

/// A header larger than this is not a model's (MiniLM's is 13 kB).
const MAX_HEADER: u64 = 100 << 20;

#[derive(Deserialize)]
struct Info {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: (u64, u64),
}

struct Entry {
    dtype: Option<DType>,
    shape: Vec<usize>,
    start: u64,
    len: u64,
}

/// An open safetensors file.
pub struct Weights {
    file: Mutex<File>,
    data_start: u64,
    tensors: HashMap<String, Entry>,
}

fn dtype(name: &str) -> Option<DType> {
    Some(match name {
        "F32" => DType::F32,
        "F16" => DType::F16,
        "BF16" => DType::BF16,
        "F64" => DType::F64,
        "I64" => DType::I64,
        "U32" => DType::U32,
        "U8" => DType::U8,
        _ => return None,
    })
}

impl Weights {
    /// Reads the header and checks that every tensor lies inside the file.
    pub fn open(path: &Path) -> Result<Weights, String> {
        let mut file = File::open(path).map_err(|e| e.to_string())?;
        let file_len = file.metadata().map_err(|e| e.to_string())?.len();
        let mut n = [0u8; 8];
        file.read_exact(&mut n)
            .map_err(|_| "not a safetensors file (too short)".to_string())?;
        let n = u64::from_le_bytes(n);
        if n > MAX_HEADER || n.saturating_add(8) > file_len {
            return Err("not a safetensors file (bad header length)".into());
        }
        let mut header = vec![0u8; n as usize];
        file.read_exact(&mut header).map_err(|e| e.to_string())?;
        let raw: HashMap<String, serde_json::Value> = serde_json::from_slice(&header)
            .map_err(|e| format!("not a safetensors file (header: {e})"))?;
        let data_start = 8 + n;
        let mut tensors = HashMap::new();
        for (name, value) in raw {
            if name == "__metadata__" {
                continue;
            }
            let info: Info =
                serde_json::from_value(value).map_err(|e| format!("tensor {name:?}: {e}"))?;
            let (start, end) = info.data_offsets;
            let dtype = dtype(&info.dtype);
            let elements: Option<u64> = info
                .shape
                .iter()
                .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64));
            let fits = end >= start && data_start.saturating_add(end) <= file_len;
            let sized = match (dtype, elements) {
                (Some(t), Some(e)) => e.checked_mul(t.size_in_bytes() as u64) == Some(end - start),
                (None, _) => true,
                (_, None) => false,
            };
            if !fits || !sized {
                return Err(format!("tensor {name:?} does not fit in the file"));
            }
            tensors.insert(
                name,
                Entry {
                    dtype,
                    shape: info.shape,
                    start,
                    len: end - start,
                },
            );
        }
        Ok(Weights {
            file: Mutex::new(file),
            data_start,
            tensors,
        })
    }
}

impl candle_nn::var_builder::SimpleBackend for Weights {
    fn get(
        &self,
        shape: Shape,
        name: &str,
        _init: candle_nn::Init,
        dtype: DType,
        dev: &Device,
    ) -> candle_core::Result<Tensor> {
        let t = self.get_unchecked(name, dtype, dev)?;
        if t.shape() != &shape {
            candle_core::bail!(
                "tensor {name:?} has shape {:?}, the config says {shape:?}",
                t.shape()
            );
        }
        Ok(t)
    }

    fn get_unchecked(&self, name: &str, dtype: DType, dev: &Device) -> candle_core::Result<Tensor> {
        let Some(e) = self.tensors.get(name) else {
            candle_core::bail!("tensor {name:?} is not in the weights");
        };
        let Some(stored) = e.dtype else {
            candle_core::bail!("tensor {name:?} has a type cabildo cannot read");
        };
        let mut buf = vec![0u8; e.len as usize];
        {
            let mut file = self
                .file
                .lock()
                .map_err(|_| candle_core::Error::Msg("the weights file lock is poisoned".into()))?;
            file.seek(SeekFrom::Start(self.data_start + e.start))?;
            file.read_exact(&mut buf)?;
        }
        Tensor::from_raw_buffer(&buf, stored, &e.shape, dev)?.to_dtype(dtype)
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.tensors.contains_key(name)
    }
}
