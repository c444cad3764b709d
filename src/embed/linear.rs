//! Linear layers of the forward pass (`x·Wᵀ + b`), with the weights held in half floats.
//!
//! A question is a few dozen tokens, so its forward pass is a handful of rows multiplied by every
//! weight matrix of the model: the time goes into reading the weights (42 MB in f32 for MiniLM,
//! more than the last-level cache), not into arithmetic. Held as f16 the weights are half the
//! bytes, and the layer reads them with a kernel made for few rows: each matrix is packed in
//! panels of [`PANEL`] output columns (one panel is one contiguous stream), a block of rows is
//! multiplied by one panel at a time with the accumulators in registers (AVX-512 or AVX2 + F16C +
//! FMA, chosen at run time, a plain loop elsewhere), and the panels are shared between the cores.
//! With AVX-512 the panels go in pairs, so each activation read serves 32 output columns (the
//! batch kernel had been bound by re-reading the activations for every panel).
//! A batch of passages at index time runs the same kernel with its rows split between the cores
//! (in chunks that stay in cache), which measured faster than gemm on f32 weights as well.
//!
//! Measurements: docs/semantic.md ("Session of 2026-12-02").

use candle_core::{CpuStorage, Layout, Shape, Tensor};
use half::f16;
use rayon::prelude::*;

/// Output columns per packed panel.
const PANEL: usize = 16;

/// Rows of a batch computed together (a multiple of both kernels' row blocks); a product of at
/// most this many rows splits its panels between the cores instead.
const ROW_CHUNK: usize = 48;

/// Multiply-adds from which a question's product is split between the cores.
const PARALLEL_FROM: usize = 1 << 20;

/// A linear layer: `output` values from `input`.
pub struct Linear {
    input: usize,
    output: usize,
    /// Panel `p`, input `k`, column `j` at `(p·input + k)·PANEL + j`; the last panel's missing
    /// columns are zeros.
    packed: Vec<f16>,
    /// Padded with zeros to whole panels.
    bias: Vec<f32>,
    /// Applied to every output.
    activation: Activation,
}

/// What a layer applies to its outputs (BERT's feed-forward layer: GELU, or ReLU for some models).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Identity,
    /// `x·Φ(x)` with the exact (erf) form BERT was trained with.
    Gelu,
    Relu,
}

/// Where a kernel writes: row `r` of the `j`-th panel it computes starts at `j·panel + r·row`
/// (PANEL values).
#[derive(Debug, Clone, Copy)]
struct Strides {
    panel: usize,
    row: usize,
}

impl Strides {
    /// The length a slice needs for `rows` rows of `panels` panels.
    fn end(self, rows: usize, panels: usize) -> usize {
        if rows == 0 || panels == 0 {
            return 0;
        }
        (panels - 1) * self.panel + (rows - 1) * self.row + PANEL
    }
}

impl Linear {
    /// From a weight stored output × input (row-major, as in PyTorch) and its bias.
    pub fn new(
        weight: &[f32],
        bias: &[f32],
        input: usize,
        output: usize,
    ) -> candle_core::Result<Linear> {
        if weight.len() != input * output || bias.len() != output {
            candle_core::bail!(
                "linear layer: {} weights and {} biases for {input} → {output}",
                weight.len(),
                bias.len()
            );
        }
        let panels = output.div_ceil(PANEL);
        let mut packed = vec![f16::ZERO; panels * input * PANEL];
        for (o, row) in weight.chunks_exact(input.max(1)).enumerate() {
            let (p, j) = (o / PANEL, o % PANEL);
            for (k, &w) in row.iter().enumerate() {
                packed[(p * input + k) * PANEL + j] = f16::from_f32(w);
            }
        }
        let mut padded = bias.to_vec();
        padded.resize(panels * PANEL, 0.0);
        Ok(Linear {
            input,
            output,
            packed,
            bias: padded,
            activation: Activation::Identity,
        })
    }

    /// The same layer with `activation` applied to its outputs.
    pub fn activated(self, activation: Activation) -> Linear {
        Linear { activation, ..self }
    }

    /// `x` is (rows, input); returns (rows, output).
    pub fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.apply_op1_no_bwd(self)
    }

    /// `x` (rows × input, row-major) times the weights, plus the bias: rows × output.
    pub fn product(&self, x: &[f32], rows: usize) -> Vec<f32> {
        self.product_with(x, rows, kernel())
    }

    fn product_with(&self, x: &[f32], rows: usize, kernel: Kernel) -> Vec<f32> {
        let (input, output) = (self.input, self.output);
        let mut out = vec![0f32; rows * output];
        if rows == 0 || output == 0 || x.len() < rows * input {
            return out;
        }
        if rows <= ROW_CHUNK {
            // A question: split the panels between the cores.
            let parallel = rows * input * output >= PARALLEL_FROM;
            self.rows_into(x, rows, kernel, parallel, &mut out);
        } else {
            // A batch: split the rows; each chunk's rows stay in cache while every panel
            // streams past them.
            out.par_chunks_mut(ROW_CHUNK * output)
                .zip(x.par_chunks(ROW_CHUNK * input.max(1)))
                .for_each(|(out, x)| {
                    self.rows_into(x, out.len() / output, kernel, false, out);
                });
        }
        out
    }

    /// The product for a few rows, into `out` (rows × output), then the activation.
    fn rows_into(&self, x: &[f32], rows: usize, kernel: Kernel, parallel: bool, out: &mut [f32]) {
        let (input, output) = (self.input, self.output);
        let panels = output.div_ceil(PANEL);
        // Panels go by pairs (the last may be alone): a pair reads each row's activations once
        // for 32 output columns. `n` panels from panel `p`, written at `at` into `block`.
        let pair = |p: usize, n: usize, block: &mut [f32], at: Strides| {
            let weights = &self.packed[p * input * PANEL..(p + n) * input * PANEL];
            let bias = &self.bias[p * PANEL..(p + n) * PANEL];
            if n == 2 {
                self::panels::<2>(kernel, x, rows, input, weights, bias, block, at);
            } else {
                panel(kernel, x, rows, input, weights, bias, block, at);
            }
        };
        if !parallel && output % PANEL == 0 {
            // Whole panels, one core: straight into the rows of `out`.
            let at = Strides {
                panel: PANEL,
                row: output,
            };
            for p in (0..panels).step_by(2) {
                pair(p, (panels - p).min(2), &mut out[p * PANEL..], at);
            }
        } else {
            // Panel-major blocks (each pair's rows × 2·PANEL is one task's), then row-major.
            let mut blocks = vec![0f32; panels * rows * PANEL];
            let at = Strides {
                panel: rows * PANEL,
                row: PANEL,
            };
            let run = |(i, block): (usize, &mut [f32])| {
                pair(2 * i, block.len() / (rows * PANEL), block, at)
            };
            if parallel && panels > 2 {
                let per_task = panels.div_ceil(2 * rayon::current_num_threads().max(1));
                blocks
                    .par_chunks_mut(2 * rows * PANEL)
                    .with_min_len(per_task)
                    .enumerate()
                    .for_each(run);
            } else {
                blocks
                    .chunks_mut(2 * rows * PANEL)
                    .enumerate()
                    .for_each(run);
            }
            for (p, block) in blocks.chunks_exact(rows * PANEL).enumerate() {
                let cols = PANEL.min(output - p * PANEL);
                for (r, values) in block.chunks_exact(PANEL).enumerate() {
                    out[r * output + p * PANEL..][..cols].copy_from_slice(&values[..cols]);
                }
            }
        }
        // While the rows are still in cache.
        match self.activation {
            Activation::Identity => {}
            Activation::Gelu => out[..rows * output].iter_mut().for_each(|v| *v = gelu(*v)),
            Activation::Relu => out[..rows * output]
                .iter_mut()
                .for_each(|v| *v = v.max(0.0)),
        }
    }
}

impl candle_core::CustomOp1 for Linear {
    fn name(&self) -> &'static str {
        "linear-f16"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let (CpuStorage::F32(data), Some((start, end))) = (s, l.contiguous_offsets()) else {
            candle_core::bail!("linear: expects a contiguous f32 tensor");
        };
        let (rows, input) = l.shape().dims2()?;
        if input != self.input {
            candle_core::bail!("linear: {input} inputs for a layer of {}", self.input);
        }
        let out = self.product(&data[start..end], rows);
        Ok((CpuStorage::F32(out), Shape::from((rows, self.output))))
    }
}

/// Which kernel this CPU runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kernel {
    Plain,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

fn kernel() -> Kernel {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return Kernel::Avx512;
        }
        if has_avx2() {
            return Kernel::Avx2;
        }
    }
    Kernel::Plain
}

/// Whether the AVX2 kernel can run here (it also needs FMA and F16C).
#[cfg(target_arch = "x86_64")]
fn has_avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("fma")
        && std::arch::is_x86_feature_detected!("f16c")
}

/// Calls `f::<R, P>` for whole blocks of `max` rows, then once for the rest (`fewer`: every
/// smaller block size); `P` is the number of panels the kernel takes at once.
macro_rules! by_blocks {
    ($rows:expr, $max:literal, [$($fewer:literal),*], $r:ident, $f:ident, $p:tt, $args:tt) => {{
        let mut $r = 0;
        while $r < $rows {
            let n = ($rows - $r).min($max);
            match n {
                $($fewer => $f::<$fewer, $p> $args,)*
                _ => $f::<$max, $p> $args,
            }
            $r += n;
        }
    }};
}

/// One panel: `block` (rows × PANEL, laid out as `at` says) = `x` (rows × input) · `weights`
/// (input × PANEL) + `bias`.
#[allow(clippy::too_many_arguments)]
fn panel(
    kernel: Kernel,
    x: &[f32],
    rows: usize,
    input: usize,
    weights: &[f16],
    bias: &[f32],
    block: &mut [f32],
    at: Strides,
) {
    // What the SIMD kernels read and write (the callers' slices always have these lengths).
    assert!(x.len() >= rows * input && weights.len() >= input * PANEL);
    assert!(bias.len() >= PANEL && block.len() >= at.end(rows, 1));
    match kernel {
        Kernel::Plain => {
            for r in 0..rows {
                let out = &mut block[r * at.row..][..PANEL];
                out.copy_from_slice(&bias[..PANEL]);
                let row = &x[r * input..(r + 1) * input];
                for (&a, w) in row.iter().zip(weights.chunks_exact(PANEL)) {
                    for (o, w) in out.iter_mut().zip(w) {
                        *o += a * w.to_f32();
                    }
                }
            }
        }
        // SAFETY (both arms): the CPU has the features the kernels are built for (`kernel()`
        // checked them); the slices have the lengths the kernels read and write (asserted above).
        // Up to 6 rows at a time, two accumulator registers a row.
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2 => unsafe {
            use simd::rows256;
            by_blocks!(
                rows,
                6,
                [1, 2, 3, 4, 5],
                r,
                rows256,
                1,
                (r, x, input, weights, bias, block, at)
            )
        },
        // The AVX-512 kernel takes one panel or several.
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx512 => panels::<1>(kernel, x, rows, input, weights, bias, block, at),
    }
}

/// `P` neighbouring panels at once: `weights` and `bias` hold each panel's in turn, `block` as `at`
/// says. With AVX-512 one pass over the rows serves them all (up to 12 rows × P registers);
/// otherwise panel by panel.
#[allow(clippy::too_many_arguments)]
fn panels<const P: usize>(
    kernel: Kernel,
    x: &[f32],
    rows: usize,
    input: usize,
    weights: &[f16],
    bias: &[f32],
    block: &mut [f32],
    at: Strides,
) {
    assert!(x.len() >= rows * input && weights.len() >= P * input * PANEL);
    assert!(bias.len() >= P * PANEL && block.len() >= at.end(rows, P));
    match kernel {
        // SAFETY: the CPU has AVX-512F (`kernel()` checked it); the slices have the lengths the
        // kernel reads and writes (asserted above).
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx512 => unsafe {
            use simd::panels512;
            by_blocks!(
                rows,
                12,
                [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
                r,
                panels512,
                P,
                (r, x, input, weights, bias, block, at)
            )
        },
        _ => {
            let weights = weights.chunks_exact(input * PANEL);
            let bias = bias.chunks_exact(PANEL);
            for (j, (w, b)) in weights.zip(bias).enumerate().take(P) {
                panel(kernel, x, rows, input, w, b, &mut block[j * at.panel..], at);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use std::arch::x86_64::*;

    use half::f16;

    use super::{PANEL, Strides};

    /// Rows `first..first + R` of `P` neighbouring panels (see [`super::panels`]): one register a
    /// row and panel, each activation broadcast once for all `P` × 16 output columns.
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(super) fn panels512<const R: usize, const P: usize>(
        first: usize,
        x: &[f32],
        input: usize,
        weights: &[f16],
        bias: &[f32],
        block: &mut [f32],
        at: Strides,
    ) {
        // SAFETY: the callers asserted the lengths: rows first..first + R of `x`, P × `input` ×
        // PANEL weights, P × PANEL biases, and every row of `P` panels at `at` in `block`.
        unsafe {
            let mut acc = [[_mm512_setzero_ps(); R]; P];
            let mut w = [weights.as_ptr().cast::<__m256i>(); P];
            for (j, (acc, w)) in acc.iter_mut().zip(&mut w).enumerate() {
                *acc = [_mm512_loadu_ps(bias.as_ptr().add(j * PANEL)); R];
                *w = weights.as_ptr().add(j * input * PANEL).cast::<__m256i>();
            }
            let a = x.as_ptr().add(first * input);
            for k in 0..input {
                let mut wk = [_mm512_setzero_ps(); P];
                for (wk, w) in wk.iter_mut().zip(&w) {
                    *wk = _mm512_cvtph_ps(_mm256_loadu_si256(w.add(k)));
                }
                for r in 0..R {
                    let v = _mm512_set1_ps(*a.add(r * input + k));
                    for (acc, wk) in acc.iter_mut().zip(&wk) {
                        acc[r] = _mm512_fmadd_ps(v, *wk, acc[r]);
                    }
                }
            }
            for (j, acc) in acc.iter().enumerate() {
                let out = block.as_mut_ptr().add(j * at.panel + first * at.row);
                for (r, acc) in acc.iter().enumerate() {
                    _mm512_storeu_ps(out.add(r * at.row), *acc);
                }
            }
        }
    }

    /// One panel with AVX2 (`P` is 1: sixteen registers hold no more), two registers a row.
    #[target_feature(enable = "avx2,fma,f16c")]
    #[inline]
    pub(super) fn rows256<const R: usize, const P: usize>(
        first: usize,
        x: &[f32],
        input: usize,
        weights: &[f16],
        bias: &[f32],
        block: &mut [f32],
        at: Strides,
    ) {
        // SAFETY: as in `panels512` (one panel).
        unsafe {
            let b = [
                _mm256_loadu_ps(bias.as_ptr()),
                _mm256_loadu_ps(bias.as_ptr().add(8)),
            ];
            let mut acc = [b; R];
            let a = x.as_ptr().add(first * input);
            let w = weights.as_ptr().cast::<__m128i>();
            for k in 0..input {
                let lo = _mm256_cvtph_ps(_mm_loadu_si128(w.add(2 * k)));
                let hi = _mm256_cvtph_ps(_mm_loadu_si128(w.add(2 * k + 1)));
                for (r, acc) in acc.iter_mut().enumerate() {
                    let v = _mm256_set1_ps(*a.add(r * input + k));
                    acc[0] = _mm256_fmadd_ps(v, lo, acc[0]);
                    acc[1] = _mm256_fmadd_ps(v, hi, acc[1]);
                }
            }
            let out = block.as_mut_ptr().add(first * at.row);
            for (r, acc) in acc.iter().enumerate() {
                _mm256_storeu_ps(out.add(r * at.row), acc[0]);
                _mm256_storeu_ps(out.add(r * at.row + 8), acc[1]);
            }
        }
    }
}

/// `x·Φ(x) = x/2·(1 + erf(x/√2))`.
#[inline(always)]
pub fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// erf by Abramowitz and Stegun's formula 7.1.28 (absolute error below 3·10⁻⁷): a polynomial and
/// four squarings, no branch and no `exp`, so a loop over a slice runs in SIMD registers.
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    let a = x.abs();
    let p = 1.0
        + a * (0.070_523_08
            + a * (0.042_282_01
                + a * (0.009_270_527
                    + a * (0.000_152_014_3 + a * (0.000_276_567_2 + a * 0.000_043_063_8)))));
    let p2 = p * p;
    let p4 = p2 * p2;
    let p8 = p4 * p4;
    (1.0 - 1.0 / (p8 * p8)).copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A weight matrix of the given shape with values of both signs and several magnitudes.
    fn layer(input: usize, output: usize) -> (Vec<f32>, Vec<f32>) {
        let w = (0..input * output)
            .map(|i| ((i * 7919 % 1013) as f32 / 1013.0 - 0.5) * 0.2)
            .collect();
        let b = (0..output).map(|o| (o as f32 * 0.3).sin()).collect();
        (w, b)
    }

    /// The product in f64 on the f16-rounded weights.
    fn reference(w: &[f32], b: &[f32], x: &[f32], rows: usize, input: usize) -> Vec<f64> {
        let output = b.len();
        let mut out = vec![0f64; rows * output];
        for r in 0..rows {
            for o in 0..output {
                let mut s = f64::from(b[o]);
                for k in 0..input {
                    let wk = f64::from(f16::from_f32(w[o * input + k]).to_f32());
                    s += f64::from(x[r * input + k]) * wk;
                }
                out[r * output + o] = s;
            }
        }
        out
    }

    /// Every kernel this CPU can run (the AVX2 one too where AVX-512 is chosen).
    fn kernels() -> Vec<Kernel> {
        let mut all = vec![Kernel::Plain, kernel()];
        #[cfg(target_arch = "x86_64")]
        if has_avx2() {
            all.push(Kernel::Avx2);
        }
        all.dedup();
        all
    }

    #[test]
    fn every_kernel_matches_the_reference_product_at_every_shape() {
        for (input, output) in [(1, 1), (3, 15), (16, 16), (17, 33), (384, 40), (40, 1152)] {
            let (w, b) = layer(input, output);
            let linear = Linear::new(&w, &b, input, output).expect("shapes agree");
            for rows in [1, 2, 5, 6, 7, 11, 12, 13, 25, 49, 100] {
                let x: Vec<f32> = (0..rows * input).map(|i| (i as f32 * 0.37).cos()).collect();
                let want = reference(&w, &b, &x, rows, input);
                for kernel in kernels() {
                    let got = linear.product_with(&x, rows, kernel);
                    assert_eq!(got.len(), want.len());
                    for (i, (g, r)) in got.iter().zip(&want).enumerate() {
                        let tolerance = 1e-5 * (1.0 + r.abs()) * (input as f64).sqrt();
                        assert!(
                            (f64::from(*g) - r).abs() < tolerance,
                            "{kernel:?} {rows}×{input}→{output} at {i}: {g} vs {r}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_activation_is_applied_to_every_output_on_every_path() {
        // Whole panels on one core write straight into the output (40 → 1152, and 384 → 1536 for
        // 100 rows); 13 rows of 384 → 1536 split their panels between the cores through blocks;
        // 17 → 33 has a partial last panel, which goes through blocks too.
        for (input, output) in [(40, 1152), (17, 33), (384, 1536)] {
            let (w, b) = layer(input, output);
            let plain = Linear::new(&w, &b, input, output).expect("shapes agree");
            for rows in [1, 13, 100] {
                let x: Vec<f32> = (0..rows * input).map(|i| (i as f32 * 0.37).sin()).collect();
                let linear = plain.product(&x, rows);
                assert!(
                    linear.iter().any(|v| *v < -0.1),
                    "some outputs are negative"
                );
                for (activation, f) in [
                    (Activation::Gelu, gelu as fn(f32) -> f32),
                    (Activation::Relu, |v: f32| v.max(0.0)),
                ] {
                    let layer = Linear::new(&w, &b, input, output)
                        .expect("shapes agree")
                        .activated(activation);
                    let got = layer.product(&x, rows);
                    for (g, v) in got.iter().zip(&linear) {
                        assert_eq!(*g, f(*v), "{activation:?} {rows}×{input}→{output}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_question_and_a_batch_match_candles_product() {
        let (input, output) = (48, 70);
        let (w, b) = layer(input, output);
        let linear = Linear::new(&w, &b, input, output).expect("shapes agree");
        let cpu = candle_core::Device::Cpu;
        let rounded: Vec<f32> = w.iter().map(|&v| f16::from_f32(v).to_f32()).collect();
        let weight = Tensor::from_vec(rounded, (output, input), &cpu).expect("a tensor");
        let bias = Tensor::new(b.as_slice(), &cpu).expect("a tensor");
        // A question (panels split between the cores) and a batch of several row chunks.
        for rows in [3, 30, ROW_CHUNK * 3 + 5] {
            let x: Vec<f32> = (0..rows * input).map(|i| (i as f32 * 0.11).sin()).collect();
            let t = Tensor::from_vec(x, (rows, input), &cpu).expect("a tensor");
            let flat = |t: candle_core::Result<Tensor>| {
                t.and_then(|t| t.flatten_all())
                    .and_then(|t| t.to_vec1::<f32>())
                    .expect("a product")
            };
            let got = flat(linear.forward(&t));
            let want = flat(
                weight
                    .t()
                    .and_then(|wt| t.matmul(&wt))
                    .and_then(|p| p.broadcast_add(&bias)),
            );
            assert_eq!(got.len(), rows * output);
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() < 1e-4, "{rows} rows: {g} vs {w}");
            }
        }
    }

    #[test]
    fn bad_shapes_are_errors_not_panics() {
        assert!(Linear::new(&[1.0; 5], &[0.0; 2], 3, 2).is_err());
        let linear = Linear::new(&[1.0; 6], &[0.0; 2], 3, 2).expect("shapes agree");
        let wrong = Tensor::zeros((2, 4), candle_core::DType::F32, &candle_core::Device::Cpu)
            .expect("a tensor");
        assert!(linear.forward(&wrong).is_err());
        assert_eq!(linear.product(&[1.0; 2], 1), vec![0.0; 2]);
    }

    #[test]
    fn gelu_matches_candles_reference_gelu() {
        let xs: Vec<f32> = (-8000..=8000).map(|i| i as f32 / 1000.0).collect();
        let want = Tensor::new(xs.as_slice(), &candle_core::Device::Cpu)
            .and_then(|t| t.gelu_erf())
            .and_then(|t| t.to_vec1::<f32>())
            .unwrap_or_default();
        assert_eq!(want.len(), xs.len());
        for (x, w) in xs.iter().zip(want) {
            assert!((gelu(*x) - w).abs() < 2e-6, "gelu({x})");
        }
        assert_eq!(erf(1e30), 1.0);
        assert_eq!(erf(-1e30), -1.0);
        assert_eq!(erf(0.0), 0.0);
        assert!(erf(f32::NAN).is_nan());
    }
}
