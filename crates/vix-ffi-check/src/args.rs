//! Typed argument lists written out: the `--replay NAME=ARGS` encoding, which a fuzz
//! report prints and the checker reads back, and the list in the author's terms.
//!
//! The encoding is one field per parameter, in the signature's order, separated by
//! commas, with nothing a shell treats specially (no quotes needed):
//!
//! | parameter | field |
//! |---|---|
//! | `bytes`, `str` | lowercase hex of the bytes; empty for an empty buffer; `null` for a NULL pointer (length 0) |
//! | an integer type | decimal (`-1`, `18446744073709551615`), within the type's range |
//! | `double` | the shortest literal that reads back to the same bits (`2.5`, `-0.0`, `5e-324`, `inf`, `-inf`, `NaN`, `-NaN`); any other NaN as its 16 hex bits, `0x7ff8000000000001` |
//! | `bool` | `true` or `false` |
//! | an object | `new` (a new object, made as every rule makes one) |
//!
//! `describe(name=b"hi\n", level=-1, scale=NaN, loud=false)` is `68690a,-1,NaN,false`;
//! a function without parameters takes the empty list.

use vix_ffi_gen::manifest::{ClassId, ParamType, Scalar, Signature};

use crate::corpus::{hex, Input};
use crate::values::Value;

const SIGN: u64 = 1 << 63;

/// The literal of `x` that [`parse_float`] reads back to the same bits.
pub fn float_literal(x: f64) -> String {
    if x.is_nan() {
        let bits = x.to_bits();
        if bits & !SIGN == f64::NAN.to_bits() & !SIGN {
            return if bits & SIGN == 0 { "NaN" } else { "-NaN" }.into();
        }
        return format!("0x{bits:016x}");
    }
    // `{:?}` is the shortest decimal that reads back to the same `f64` (`-0.0`, `inf`).
    format!("{x:?}")
}

/// The `f64` of a [`float_literal`] (or of any decimal Rust reads); `None` for anything
/// else.
pub fn parse_float(text: &str) -> Option<f64> {
    if let Some(bits) = text.strip_prefix("0x") {
        if bits.len() != 16 {
            return None;
        }
        return u64::from_str_radix(bits, 16).ok().map(f64::from_bits);
    }
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if body.eq_ignore_ascii_case("nan") {
        let nan = f64::NAN.to_bits() & !SIGN;
        return Some(f64::from_bits(if negative { nan | SIGN } else { nan }));
    }
    // Only digits, a point, an exponent or a spelled infinity: no second sign.
    if body.starts_with(['+', '-']) {
        return None;
    }
    let x: f64 = body.parse().ok()?;
    Some(if negative { -x } else { x })
}

/// `f64` values in JSON as their [`float_literal`]: JSON has no NaN or infinity, and
/// `serde_json` would turn them into `null`.
pub mod float_serde {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the literal.
    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::float_literal(*x))
    }

    /// Reads the literal.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_float(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a float literal")))
    }
}

/// The integer a C parameter of type `s` receives for `value` (wrapped to the type, as
/// the call does).
fn c_int(s: Scalar, value: &Value) -> i128 {
    let n = match value {
        Value::Int(n) => *n,
        Value::Bool(b) => i128::from(*b),
        Value::Float(x) => *x as i128,
        Value::Buffer(_) | Value::Object => 0,
    };
    match s {
        Scalar::Int32 => i128::from(n as i32),
        Scalar::Uint32 => i128::from(n as u32),
        Scalar::Int64 => i128::from(n as i64),
        Scalar::Uint64 | Scalar::Size => i128::from(n as u64),
        Scalar::Bool => i128::from(n != 0),
        Scalar::Double => n,
    }
}

fn c_float(value: &Value) -> f64 {
    match value {
        Value::Float(x) => *x,
        Value::Int(n) => *n as f64,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Buffer(_) | Value::Object => 0.0,
    }
}

fn c_bool(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::Int(n) => *n != 0,
        Value::Float(x) => *x as i128 != 0,
        Value::Buffer(_) | Value::Object => false,
    }
}

/// The `--replay` encoding of `values`, the arguments of `sig` (its parameters, not a
/// method's `self`): what the C function receives, so that [`decode`] gives it back.
pub fn encode(sig: &Signature, values: &[Value]) -> String {
    let fields: Vec<String> = sig
        .params
        .iter()
        .zip(values)
        .map(|(p, v)| match p.ty {
            ParamType::Bytes | ParamType::Str => match v.buffer() {
                Some(input) if input.null_ptr && input.bytes.is_empty() => "null".into(),
                Some(input) => hex::encode(&input.bytes),
                None => "null".into(),
            },
            ParamType::Scalar(Scalar::Double) => float_literal(c_float(v)),
            ParamType::Scalar(Scalar::Bool) => c_bool(v).to_string(),
            ParamType::Scalar(s) => c_int(s, v).to_string(),
            ParamType::Object(_) => "new".into(),
        })
        .collect();
    fields.join(",")
}

/// The argument list of `sig` that `text` encodes (see [`encode`]), each buffer labelled
/// `label` (a NULL one `<label>, ptr NULL`); an error names the parameter that is wrong, its position and what it takes.
pub fn decode(sig: &Signature, text: &str, label: &str) -> Result<Vec<Value>, String> {
    let fields: Vec<&str> = if sig.params.is_empty() && text.is_empty() {
        Vec::new()
    } else {
        text.split(',').collect()
    };
    let names: Vec<&str> = sig.params.iter().map(|p| p.name.as_str()).collect();
    if fields.len() != sig.params.len() {
        let wanted = match names.len() {
            0 => "the empty list expected (no parameters)".to_owned(),
            1 => format!("1 value expected ({})", names[0]),
            n => format!(
                "{n} values expected, comma-separated, one per parameter ({})",
                names.join(", ")
            ),
        };
        return Err(format!("{wanted}; {text:?} has {}", fields.len()));
    }
    let count = sig.params.len();
    sig.params
        .iter()
        .zip(fields)
        .enumerate()
        .map(|(i, (p, field))| {
            let wrong = |what: String| {
                format!(
                    "parameter {} of {count}, {} ({}): {field:?} is not {what}",
                    i + 1,
                    p.name,
                    type_name(p.ty)
                )
            };
            match p.ty {
                ParamType::Bytes | ParamType::Str => {
                    if field == "null" {
                        return Ok(Value::Buffer(Input {
                            label: format!("{label}, ptr NULL"),
                            bytes: Vec::new(),
                            null_ptr: true,
                        }));
                    }
                    match hex::decode(field) {
                        Some(bytes) => Ok(Value::Buffer(Input {
                            label: label.to_owned(),
                            bytes,
                            null_ptr: false,
                        })),
                        None => Err(wrong(
                            "hex bytes (an even number of hex digits, empty for no bytes, \
                             `null` for a NULL pointer)"
                                .into(),
                        )),
                    }
                }
                ParamType::Scalar(Scalar::Double) => {
                    parse_float(field).map(Value::Float).ok_or_else(|| {
                        wrong(
                            "a float (a decimal such as 2.5 or 1e-300, inf, -inf, NaN, -NaN, \
                             or 0x and 16 hex digits of its bits)"
                                .into(),
                        )
                    })
                }
                ParamType::Scalar(Scalar::Bool) => match field {
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    _ => Err(wrong("a bool (true or false)".into())),
                },
                ParamType::Scalar(s) => {
                    let (lo, hi) = s.int_range().unwrap_or((0, 0));
                    let digits = field.strip_prefix('-').unwrap_or(field);
                    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(wrong("a decimal integer".into()));
                    }
                    match field.parse::<i128>() {
                        Ok(n) if (lo..=hi).contains(&n) => Ok(Value::Int(n)),
                        _ => Err(wrong(format!(
                            "in the range of {} ({lo} to {hi})",
                            s.name()
                        ))),
                    }
                }
                ParamType::Object(_) => match field {
                    "new" => Ok(Value::Object),
                    _ => Err(wrong(
                        "`new` (an object parameter takes a new object)".into(),
                    )),
                },
            }
        })
        .collect()
}

fn type_name(ty: ParamType) -> String {
    match ty {
        ParamType::Object(_) => "an object".into(),
        ty => ty.name().to_owned(),
    }
}

/// Buffers longer than this are shown by their first bytes and length.
const SHOWN_BYTES: usize = 64;

/// The bytes as a Python literal, `b"\x00ab"`, cut after [`SHOWN_BYTES`] bytes.
pub fn show_bytes(bytes: &[u8]) -> String {
    if bytes.len() <= SHOWN_BYTES {
        return format!("b\"{}\"", bytes.escape_ascii());
    }
    format!(
        "b\"{}\"... ({} bytes)",
        bytes[..SHOWN_BYTES / 2].escape_ascii(),
        bytes.len()
    )
}

/// The call in the author's terms: `describe(name=b"\n", level=-1, scale=NaN,
/// loud=false)`, each value as the C function receives it (a NULL buffer as `NULL`, an
/// object as `<a new Class>`, with `class` naming the class).
pub fn show_call(
    function: &str,
    sig: &Signature,
    values: &[Value],
    class: &dyn Fn(ClassId) -> String,
) -> String {
    let parts: Vec<String> = sig
        .params
        .iter()
        .zip(values)
        .map(|(p, v)| {
            let shown = match p.ty {
                ParamType::Bytes | ParamType::Str => match v.buffer() {
                    Some(input) if !input.null_ptr => show_bytes(&input.bytes),
                    _ => "NULL".into(),
                },
                ParamType::Scalar(Scalar::Double) => format!("{:?}", c_float(v)),
                ParamType::Scalar(Scalar::Bool) => c_bool(v).to_string(),
                ParamType::Scalar(s) => c_int(s, v).to_string(),
                ParamType::Object(c) => format!("<a new {}>", class(c)),
            };
            format!("{}={shown}", p.name)
        })
        .collect();
    format!("{function}({})", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vix_ffi_gen::manifest::{Output, Param};

    fn sig(params: &[(&str, ParamType)]) -> Signature {
        Signature {
            receiver: None,
            params: params
                .iter()
                .map(|(name, ty)| Param::new(*name, *ty))
                .collect(),
            output: Output::None,
        }
    }

    fn scalar(s: Scalar) -> ParamType {
        ParamType::Scalar(s)
    }

    fn same_bits(a: &[Value], b: &[Value]) -> bool {
        a.len() == b.len()
            && a.iter().zip(b).all(|(x, y)| match (x, y) {
                (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
                (Value::Buffer(x), Value::Buffer(y)) => {
                    x.bytes == y.bytes && x.null_ptr == y.null_ptr
                }
                _ => x == y,
            })
    }

    #[test]
    fn floats_round_trip_bit_for_bit() {
        let odd_nan = f64::from_bits(0x7ff8_0000_0000_0001);
        let signalling = f64::from_bits(0x7ff0_0000_0000_0001);
        let negative_nan = f64::from_bits(f64::NAN.to_bits() | SIGN);
        let values = [
            0.0,
            -0.0,
            1.0,
            -1.5,
            0.1,
            1.0 / 3.0,
            f64::NAN,
            negative_nan,
            odd_nan,
            signalling,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::from_bits(1),
            -f64::from_bits(1),
            f64::EPSILON,
            1e300,
            123_456_789.123_456_78,
        ];
        for x in values {
            let literal = float_literal(x);
            let back = parse_float(&literal).unwrap_or_else(|| panic!("{literal}"));
            assert_eq!(back.to_bits(), x.to_bits(), "{x:?} as {literal}");
            assert!(
                literal
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.+".contains(&b)),
                "{literal}"
            );
        }
        assert_eq!(float_literal(f64::NAN), "NaN");
        assert_eq!(float_literal(negative_nan), "-NaN");
        assert_eq!(float_literal(-0.0), "-0.0");
        assert_eq!(float_literal(f64::NEG_INFINITY), "-inf");
        assert_eq!(float_literal(f64::from_bits(1)), "5e-324");
        assert_eq!(float_literal(odd_nan), "0x7ff8000000000001");
        for bad in ["", "-", "x", "1.2.3", "--1", "+-1", "0x12", "nan1", "1,5"] {
            assert_eq!(parse_float(bad), None, "{bad}");
        }
        assert_eq!(parse_float("nan").map(f64::is_nan), Some(true));
        assert_eq!(parse_float("INF"), Some(f64::INFINITY));
    }

    #[test]
    fn argument_lists_round_trip_with_the_extremes_of_every_type() {
        let s = sig(&[
            ("data", ParamType::Bytes),
            ("name", ParamType::Str),
            ("a", scalar(Scalar::Int32)),
            ("b", scalar(Scalar::Uint32)),
            ("c", scalar(Scalar::Int64)),
            ("d", scalar(Scalar::Uint64)),
            ("e", scalar(Scalar::Size)),
            ("x", scalar(Scalar::Double)),
            ("flag", scalar(Scalar::Bool)),
            ("other", ParamType::Object(ClassId(0))),
        ]);
        let buffer = |bytes: &[u8], null_ptr: bool| {
            Value::Buffer(Input {
                label: "the replayed input".into(),
                bytes: bytes.to_vec(),
                null_ptr,
            })
        };
        let all_bytes: Vec<u8> = (0..=255).collect();
        let lists = [
            vec![
                buffer(&all_bytes, false),
                buffer(b"", true),
                Value::Int(i128::from(i32::MIN)),
                Value::Int(i128::from(u32::MAX)),
                Value::Int(i128::from(i64::MIN)),
                Value::Int(i128::from(u64::MAX)),
                Value::Int(i128::from(u64::MAX)),
                Value::Float(f64::NAN),
                Value::Bool(true),
                Value::Object,
            ],
            vec![
                buffer(b"", false),
                buffer(b"\n", false),
                Value::Int(i128::from(i32::MAX)),
                Value::Int(0),
                Value::Int(i128::from(i64::MAX)),
                Value::Int(0),
                Value::Int(1),
                Value::Float(-0.0),
                Value::Bool(false),
                Value::Object,
            ],
            vec![
                buffer(b"\xff", false),
                buffer("h\u{e9}".as_bytes(), false),
                Value::Int(-1),
                Value::Int(1),
                Value::Int(-1),
                Value::Int(1),
                Value::Int(0),
                Value::Float(f64::NEG_INFINITY),
                Value::Bool(true),
                Value::Object,
            ],
        ];
        for values in &lists {
            let text = encode(&s, values);
            assert!(
                text.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b",-.+".contains(&b)),
                "{text}"
            );
            let back = decode(&s, &text, "the replayed input").unwrap_or_else(|e| panic!("{e}"));
            assert!(same_bits(&back, values), "{text}: {back:?}");
            assert_eq!(encode(&s, &back), text);
        }
        assert_eq!(
            encode(&s, &lists[1]),
            ",0a,2147483647,0,9223372036854775807,0,1,-0.0,false,new"
        );
        assert!(encode(&s, &lists[0]).contains(",null,-2147483648,4294967295,"));
        assert!(encode(&s, &lists[0]).ends_with(",18446744073709551615,NaN,true,new"));
    }

    #[test]
    fn what_the_call_receives_is_encoded() {
        let s = sig(&[
            ("n", scalar(Scalar::Uint32)),
            ("x", scalar(Scalar::Double)),
            ("b", scalar(Scalar::Bool)),
        ]);
        // An integer for a double, out of range for a uint32: as the call passes them.
        let values = [Value::Int(-1), Value::Int(3), Value::Int(2)];
        assert_eq!(encode(&s, &values), "4294967295,3.0,true");
    }

    #[test]
    fn a_function_without_parameters_takes_the_empty_list() {
        let s = sig(&[]);
        assert_eq!(encode(&s, &[]), "");
        assert_eq!(decode(&s, "", "x"), Ok(Vec::new()));
        let e = decode(&s, "1", "x").unwrap_err();
        assert_eq!(e, "the empty list expected (no parameters); \"1\" has 1");
    }

    #[test]
    fn a_wrong_field_is_named_with_its_parameter_and_what_it_takes() {
        let s = sig(&[
            ("name", ParamType::Str),
            ("level", scalar(Scalar::Int32)),
            ("scale", scalar(Scalar::Double)),
            ("loud", scalar(Scalar::Bool)),
        ]);
        let err = |text: &str| decode(&s, text, "x").unwrap_err();
        assert_eq!(
            err("0a,-1,NaN"),
            "4 values expected, comma-separated, one per parameter (name, level, scale, loud); \
             \"0a,-1,NaN\" has 3"
        );
        assert_eq!(
            err("abc,1,1.0,true"),
            "parameter 1 of 4, name (str): \"abc\" is not hex bytes (an even number of hex \
             digits, empty for no bytes, `null` for a NULL pointer)"
        );
        assert_eq!(
            err("00,3000000000,1.0,true"),
            "parameter 2 of 4, level (int32): \"3000000000\" is not in the range of int32 \
             (-2147483648 to 2147483647)"
        );
        assert!(err("00,1.5,1.0,true")
            .starts_with("parameter 2 of 4, level (int32): \"1.5\" is not a decimal integer"));
        assert!(err("00,1,one,true")
            .starts_with("parameter 3 of 4, scale (double): \"one\" is not a float"));
        assert_eq!(
            err("00,1,1.0,yes"),
            "parameter 4 of 4, loud (bool): \"yes\" is not a bool (true or false)"
        );
        let unsigned = sig(&[("n", scalar(Scalar::Uint64))]);
        assert!(decode(&unsigned, "-1", "x")
            .unwrap_err()
            .contains("in the range of uint64 (0 to 18446744073709551615)"));
        assert!(decode(&unsigned, "18446744073709551616", "x").is_err());
        assert_eq!(
            decode(&unsigned, "18446744073709551615", "x"),
            Ok(vec![Value::Int(i128::from(u64::MAX))])
        );
    }

    #[test]
    fn the_call_is_shown_in_the_authors_terms() {
        let s = sig(&[
            ("name", ParamType::Str),
            ("level", scalar(Scalar::Int32)),
            ("scale", scalar(Scalar::Double)),
            ("loud", scalar(Scalar::Bool)),
            ("key", ParamType::Bytes),
            ("other", ParamType::Object(ClassId(0))),
        ]);
        let values = decode(&s, "0a22,-1,NaN,false,null,new", "x").unwrap_or_default();
        let shown = show_call("describe", &s, &values, &|_| "Hasher".into());
        assert_eq!(
            shown,
            "describe(name=b\"\\n\\\"\", level=-1, scale=NaN, loud=false, key=NULL, \
             other=<a new Hasher>)"
        );
        assert_eq!(
            show_bytes(&[b'A'; 100]),
            format!("b\"{}\"... (100 bytes)", "A".repeat(32))
        );
    }
}
