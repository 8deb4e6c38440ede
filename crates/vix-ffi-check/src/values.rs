//! The argument values of functions with typed signatures (ABI v1.1).
//!
//! Like [`crate::corpus`], everything here is rebuilt identically from `(seed,
//! iterations)` and the signature in every child, so only those cross the process
//! boundary. A buffer parameter takes the inputs of the corpus (text parameters its valid
//! UTF-8 texts), a scalar one a list of ordinary values, fixed and seeded random, all
//! small; [`cases`] combines them.
//! [`extremes`] are the values at the edges of each scalar type, tried one parameter at a
//! time with the others at [`typical`] values.

use serde::{Deserialize, Serialize};
use vix_ffi_gen::manifest::{Default, ParamType, Scalar, Signature};

use crate::corpus::{self, Input, Rng};

/// One argument of a typed function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Value {
    /// A bytes or text input: `<name>_ptr, <name>_len`.
    Buffer(Input),
    /// An integer scalar (every integer type fits in `i128`).
    Int(i128),
    /// A `double` (in JSON as its literal, NaN and infinities included).
    Float(#[serde(with = "crate::args::float_serde")] f64),
    /// A `bool`.
    Bool(bool),
    /// An object parameter (ABI v1.1): a live object of its class, created for the call
    /// by the class's constructor (see `child::dynamic`).
    Object,
}

impl Value {
    /// For reports: the input's description, the number, `NaN`, `inf`, `true`.
    pub fn show(&self) -> String {
        match self {
            Value::Buffer(input) => input.describe(),
            Value::Int(n) => n.to_string(),
            Value::Float(x) => format!("{x:?}"),
            Value::Bool(b) => b.to_string(),
            Value::Object => "a new object".into(),
        }
    }

    /// The input, for a buffer.
    pub fn buffer(&self) -> Option<&Input> {
        match self {
            Value::Buffer(input) => Some(input),
            _ => None,
        }
    }
}

/// Ordinary integers: small, so that a function whose work grows with a number (a
/// repetition count, a primality test) answers at once.
const INTS: [i128; 10] = [1, 0, 3, 42, 7, 100, 5, 255, 1000, 2];
const SIGNED_INTS: [i128; 10] = [1, 0, 3, 42, 7, 100, -3, 255, 1000, -1];
const FLOATS: [f64; 10] = [1.0, 0.0, 3.0, 0.25, -1.5, 100.0, 2.5, -7.75, 42.0, 1e-3];

fn input(label: &str, bytes: &[u8]) -> Input {
    Input {
        label: label.to_owned(),
        bytes: bytes.to_vec(),
        null_ptr: false,
    }
}

/// The ordinary values of a parameter type: the corpus for bytes, valid UTF-8 text for
/// `str` (what the generated Python passes), small numbers for scalars.
pub fn ordinary(ty: ParamType, seed: u64, iterations: u32) -> Vec<Value> {
    match ty {
        ParamType::Object(_) => vec![Value::Object],
        ParamType::Bytes => corpus::base(seed, iterations)
            .into_iter()
            .map(Value::Buffer)
            .collect(),
        ParamType::Str => {
            let mut texts = vec![
                Input {
                    label: "empty text, ptr NULL".into(),
                    bytes: Vec::new(),
                    null_ptr: true,
                },
                input("empty text", b""),
                input("text", b"hello, world"),
                input("one character", b"a"),
            ];
            texts.extend(corpus::text(seed, iterations));
            texts.into_iter().map(Value::Buffer).collect()
        }
        ParamType::Scalar(s) => {
            let mut values = match s {
                Scalar::Int32 | Scalar::Int64 => SIGNED_INTS.map(Value::Int).to_vec(),
                Scalar::Uint32 | Scalar::Uint64 | Scalar::Size => INTS.map(Value::Int).to_vec(),
                Scalar::Double => FLOATS.map(Value::Float).to_vec(),
                Scalar::Bool => return vec![Value::Bool(false), Value::Bool(true)],
            };
            // `iterations / 4` seeded random ones, still small: integers up to 1000 (from
            // -500 when signed), doubles in quarters from -125 to 125.
            let mut rng = Rng::new(seed ^ 0x5ca1_a700_0000_0000);
            for _ in 0..iterations / 4 {
                let n = rng.below(1001) as i128;
                values.push(match s {
                    Scalar::Int32 | Scalar::Int64 => Value::Int(n - 500),
                    Scalar::Double => Value::Float((n - 500) as f64 / 4.0),
                    _ => Value::Int(n),
                });
            }
            values
        }
    }
}

/// The value a parameter takes while another is tried at its extremes: short non-empty
/// text, a small number.
pub fn typical(ty: ParamType) -> Value {
    match ty {
        ParamType::Bytes | ParamType::Str => Value::Buffer(input("text", b"hello, world")),
        ParamType::Object(_) => Value::Object,
        ParamType::Scalar(Scalar::Double) => Value::Float(2.5),
        ParamType::Scalar(Scalar::Bool) => Value::Bool(true),
        ParamType::Scalar(_) => Value::Int(3),
    }
}

/// The value a parameter takes where an object is made for a call (a constructor's
/// arguments): its default when the manifest gives one (`None` as a NULL pointer), else
/// its [`typical`] value.
pub fn derived(ty: ParamType, default: Option<&Default>) -> Value {
    match default {
        Some(Default::Int(n)) => Value::Int(*n),
        Some(Default::Float(x)) => Value::Float(*x),
        Some(Default::Bool(b)) => Value::Bool(*b),
        Some(Default::Bytes(b)) => Value::Buffer(input("the default", b)),
        Some(Default::Str(s)) => Value::Buffer(input("the default", s.as_bytes())),
        Some(Default::None) => Value::Buffer(Input {
            label: "None, ptr NULL".into(),
            bytes: Vec::new(),
            null_ptr: true,
        }),
        None => typical(ty),
    }
}

/// The values at the edges of a scalar type: 0, 1, -1 and the limits for integers (the
/// 64-bit limits for `size_t` on a 64-bit target); zeros of both signs, NaN, both
/// infinities, the largest, the smallest normal and the smallest subnormal for `double`;
/// both `bool`s.
pub fn extremes(s: Scalar) -> Vec<Value> {
    match s {
        Scalar::Double => [
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::from_bits(1),
        ]
        .map(Value::Float)
        .to_vec(),
        Scalar::Bool => vec![Value::Bool(false), Value::Bool(true)],
        Scalar::Size => [0, 1, usize::MAX as i128, (usize::MAX / 2) as i128]
            .map(Value::Int)
            .to_vec(),
        _ => {
            let (lo, hi) = s.int_range().unwrap_or((0, 0));
            let mut values = vec![0, 1, lo, hi];
            if lo < 0 {
                values.insert(2, -1);
            } else {
                values.push(hi - 1);
            }
            values.into_iter().map(Value::Int).collect()
        }
    }
}

/// The ordinary argument lists of `sig`: as many as the longest list of ordinary values
/// (one, empty, for a function without parameters), case `k` giving parameter `p` its
/// value `(k + p) mod len`, so that neighbouring parameters of one type do not move in
/// step (`clamp(x, lo, hi)` sees `lo > hi` as well as `lo < hi`).
pub fn cases(sig: &Signature, seed: u64, iterations: u32) -> Vec<Vec<Value>> {
    let lists: Vec<Vec<Value>> = sig
        .params
        .iter()
        .map(|p| ordinary(p.ty, seed, iterations))
        .collect();
    let n = lists.iter().map(Vec::len).max().unwrap_or(1).max(1);
    (0..n)
        .map(|k| {
            lists
                .iter()
                .enumerate()
                .map(|(p, list)| list[(k + p) % list.len()].clone())
                .collect()
        })
        .collect()
}

/// Every scalar parameter at each of its [`extremes`], the others at [`typical`] values:
/// `(index of the parameter tried, the arguments)`.
pub fn extreme_cases(sig: &Signature) -> Vec<(usize, Vec<Value>)> {
    let typical_args: Vec<Value> = sig.params.iter().map(|p| typical(p.ty)).collect();
    let mut out = Vec::new();
    for (i, p) in sig.params.iter().enumerate() {
        let ParamType::Scalar(s) = p.ty else { continue };
        for value in extremes(s) {
            let mut args = typical_args.clone();
            args[i] = value;
            out.push((i, args));
        }
    }
    out
}

/// Every buffer parameter at each input of the corpus, the 1 MiB ones included, the
/// others at [`typical`] values (the `robustness` rule).
pub fn buffer_cases(sig: &Signature, seed: u64, iterations: u32) -> Vec<Vec<Value>> {
    let typical_args: Vec<Value> = sig.params.iter().map(|p| typical(p.ty)).collect();
    let mut inputs = corpus::base(seed, iterations);
    inputs.extend(corpus::large(seed));
    let mut out = Vec::new();
    for (i, _) in sig.buffer_params() {
        for input in &inputs {
            let mut args = typical_args.clone();
            args[i] = Value::Buffer(input.clone());
            out.push(args);
        }
    }
    out
}

/// Longest buffer a typed fuzz input passes (a count parameter multiplies it).
const MAX_TYPED_FUZZ_LEN: usize = 4096;

/// Fuzz argument list number `i` of `seed` for `sig`: a list of `base` picked at random,
/// each buffer mutated with even odds ([`corpus::mutate`]), each scalar replaced with odds
/// of one in three by an extreme of its type, a small number or one off its value. A pure
/// function of `(sig, base, seed, i)`, like [`corpus::mutate`].
pub fn mutate(sig: &Signature, base: &[Vec<Value>], seed: u64, i: u64) -> Vec<Value> {
    let mut rng = Rng::new(seed ^ i.wrapping_mul(0x94d0_49bb_1331_11eb) ^ 0x7e9e_d000);
    let Some(list) = base.get(rng.below(base.len().max(1))) else {
        return Vec::new();
    };
    let mut values = list.clone();
    for (p, (param, value)) in sig.params.iter().zip(values.iter_mut()).enumerate() {
        match (param.ty, &*value) {
            (ParamType::Bytes | ParamType::Str, Value::Buffer(input)) if rng.below(2) == 0 => {
                let salt = seed ^ (p as u64).wrapping_mul(0x1000_0001);
                let mut mutated = corpus::mutate(std::slice::from_ref(input), salt, i);
                mutated.bytes.truncate(MAX_TYPED_FUZZ_LEN);
                mutated.label = format!("{} (mutated)", input.label);
                *value = Value::Buffer(mutated);
            }
            (ParamType::Scalar(s), old) if rng.below(3) == 0 => {
                let choices = extremes(s);
                *value = match (rng.below(3), old) {
                    (0, _) => choices[rng.below(choices.len())].clone(),
                    (1, Value::Int(n)) => Value::Int(n + if rng.below(2) == 0 { 1 } else { -1 }),
                    (1, Value::Float(x)) => Value::Float(x * -1.5),
                    (1, Value::Bool(b)) => Value::Bool(!b),
                    _ => match s {
                        Scalar::Double => Value::Float(rng.below(2001) as f64 / 8.0 - 125.0),
                        Scalar::Bool => Value::Bool(rng.below(2) == 0),
                        _ => Value::Int(rng.below(300) as i128),
                    },
                };
                // Keep integers in their type's range (one off an extreme may leave it).
                if let (Value::Int(n), Some((lo, hi))) = (&*value, s.int_range()) {
                    *value = Value::Int((*n).clamp(lo, hi));
                }
            }
            _ => {}
        }
    }
    values
}

/// The argument lists fuzzing mutates ([`mutate`]): the ordinary ones ([`cases`]), the
/// extremes ([`extreme_cases`]) and the boundary lengths ([`boundary_cases`]). The child
/// that fuzzes and the parent that rebuilds a failing list from its number both call it.
pub fn fuzz_base(sig: &Signature, seed: u64, iterations: u32) -> Vec<Vec<Value>> {
    let mut base = cases(sig, seed, iterations);
    base.extend(extreme_cases(sig).into_iter().map(|(_, v)| v));
    base.extend(boundary_cases(sig, seed).into_iter().map(|(_, v)| v));
    base
}

/// Every buffer parameter at each input of [`corpus::boundary`], the others at
/// [`typical`] values: `(index of the buffer parameter, the arguments)` (the
/// `input-bounds` rule).
pub fn boundary_cases(sig: &Signature, seed: u64) -> Vec<(usize, Vec<Value>)> {
    let typical_args: Vec<Value> = sig.params.iter().map(|p| typical(p.ty)).collect();
    let inputs = corpus::boundary(seed);
    let mut out = Vec::new();
    for (i, _) in sig.buffer_params() {
        for input in &inputs {
            let mut args = typical_args.clone();
            args[i] = Value::Buffer(input.clone());
            out.push((i, args));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use vix_ffi_gen::manifest::{Output, Param};

    fn sig(types: &[ParamType]) -> Signature {
        Signature {
            receiver: None,
            params: types
                .iter()
                .enumerate()
                .map(|(i, &ty)| Param::new(format!("p{i}"), ty))
                .collect(),
            output: Output::None,
        }
    }

    #[test]
    fn cases_cover_every_ordinary_value_and_shift_neighbours() {
        let d = ParamType::Scalar(Scalar::Double);
        let cases = cases(&sig(&[d, d, d]), 1, 8);
        assert_eq!(cases.len(), FLOATS.len() + 2);
        assert_eq!(cases, super::cases(&sig(&[d, d, d]), 1, 8));
        assert_ne!(cases, super::cases(&sig(&[d, d, d]), 2, 8));
        assert!(cases.iter().any(|c| matches!((&c[1], &c[2]),
            (Value::Float(lo), Value::Float(hi)) if lo > hi)));
        assert!(cases.iter().any(|c| matches!((&c[1], &c[2]),
            (Value::Float(lo), Value::Float(hi)) if lo < hi)));
        assert_eq!(super::cases(&sig(&[]), 1, 8), vec![Vec::<Value>::new()]);
        let bytes = super::cases(&sig(&[ParamType::Bytes]), 1, 8);
        assert_eq!(bytes.len(), corpus::base(1, 8).len());
    }

    #[test]
    fn extremes_reach_the_limits_of_each_type() {
        let ints = extremes(Scalar::Int32);
        for n in [0, -1, i128::from(i32::MIN), i128::from(i32::MAX)] {
            assert!(ints.contains(&Value::Int(n)), "{n}");
        }
        assert!(extremes(Scalar::Uint64).contains(&Value::Int(i128::from(u64::MAX))));
        let floats = extremes(Scalar::Double);
        assert!(floats
            .iter()
            .any(|v| matches!(v, Value::Float(x) if x.is_nan())));
        assert!(floats.contains(&Value::Float(f64::NEG_INFINITY)));
        let s = sig(&[ParamType::Str, ParamType::Scalar(Scalar::Bool)]);
        let cases = extreme_cases(&s);
        assert_eq!(cases.len(), 2);
        assert!(cases
            .iter()
            .all(|(i, args)| *i == 1 && args[0] == typical(ParamType::Str)));
    }
}
