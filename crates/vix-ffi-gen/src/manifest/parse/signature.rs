//! The ABI v1.1 parts of the walk: a function's typed signature (`params`, `returns`)
//! and the library's own status codes (`errors`).

use std::collections::HashMap;

use serde_json::{Map, Value};
use vix_ffi_signature::{FIRST_LIBRARY_CODE, PYTHON_ERROR_BASES};

use super::{describe, quoted_list, Checker, FunctionDraft};
use crate::manifest::model::{
    CType, ClassId, Default, LibraryError, Output, Param, ParamType, Passing, Scalar, Signature,
};
use crate::manifest::spans::{child_index, child_key};
use crate::manifest::suggest::did_you_mean;
use crate::names;

pub(super) const PARAM_KEYS: &[&str] = &[
    "name",
    "type",
    "default",
    "keyword_only",
    "positional_only",
    "optional",
];
pub(super) const ERROR_KEYS: &[&str] = &["code", "name", "base", "doc"];

fn param_type_names() -> impl Iterator<Item = &'static str> {
    ParamType::all().map(ParamType::name)
}

fn output_names() -> impl Iterator<Item = &'static str> {
    Output::all().map(Output::name)
}

/// A parameter as far as it could be read.
#[derive(Default)]
pub(super) struct ParamDraft {
    name: Option<String>,
    ty: Option<ParamType>,
    default: Option<Default>,
    passing: Option<Passing>,
    optional: bool,
    bad: bool,
}

impl ParamDraft {
    fn build(&self) -> Option<Param> {
        if self.bad {
            return None;
        }
        Some(Param {
            name: self.name.clone()?,
            ty: self.ty?,
            default: self.default.clone(),
            passing: self.passing?,
            optional: self.optional,
        })
    }
}

impl Checker<'_> {
    /// `params` and `returns` of a typed function. Fills `draft.signature` when both are
    /// usable and sound, and `draft.args`/`draft.restype` from it.
    pub(super) fn typed_signature(
        &mut self,
        path: &str,
        map: &Map<String, Value>,
        draft: &mut FunctionDraft,
    ) {
        for key in ["args", "restype"] {
            if map.contains_key(key) {
                self.error_at_key(
                    &child_key(path, key),
                    format!(
                        "{key:?} describes the C arguments of a function declared by them (ABI \
                         v1.0), but this one has \"params\"/\"returns\", from which they \
                         follow: remove {key:?}"
                    ),
                );
            }
        }
        draft.typed = true;
        draft.restype = Some(CType::Int);
        let Some(signature) = self.signature(path, map, None, Output::None) else {
            return;
        };
        draft.args = Some(
            signature
                .c_params()
                .into_iter()
                .map(|p| super::ArgDraft {
                    name: Some(p.name),
                    ty: Some(p.ty),
                })
                .collect(),
        );
        draft.signature = Some(signature);
    }

    /// `params` and `returns` of the object at `path` (a function, a method, or with
    /// `receiver` `None` and `fixed` an object output, a constructor, which has no
    /// `returns`): the signature when both are usable and sound.
    pub(super) fn signature(
        &mut self,
        path: &str,
        map: &Map<String, Value>,
        receiver: Option<ClassId>,
        fixed: Output,
    ) -> Option<Signature> {
        let params = match map.get("params") {
            None => Some(Vec::new()),
            Some(v) => self.params(&child_key(path, "params"), v),
        };
        // A constructor's result is fixed: its "returns" is refused as an unknown key.
        let output = match map.get("returns").filter(|_| fixed == Output::None) {
            None => Some(fixed),
            Some(v) => self.returns(&child_key(path, "returns"), v, receiver),
        };
        let (Some(params), Some(output)) = (params, output) else {
            return None;
        };
        let params = params
            .iter()
            .map(ParamDraft::build)
            .collect::<Option<_>>()?;
        let signature = Signature {
            receiver,
            params,
            output,
        };
        let params_path = child_key(path, "params");
        let mut sound = true;
        for (index, problem) in signature.problems() {
            sound = false;
            match index {
                Some(i) => self.error(&child_index(&params_path, i), problem),
                None => self.error(path, problem),
            }
        }
        for (i, p) in signature.params.iter().enumerate() {
            let what = if names::is_c_keyword(&p.name) {
                "a C or C++ keyword, which the C parameter of this name cannot be"
            } else if receiver.is_some() && p.name == "self" {
                "the name of a method's own object (and Python's convention for it)"
            } else {
                continue;
            };
            sound = false;
            self.error(
                &child_key(&child_index(&params_path, i), "name"),
                format!(
                    "{:?} is {what}; use another name such as \"{}_\"",
                    p.name, p.name
                ),
            );
        }
        sound.then_some(signature)
    }

    /// `returns`: a result type, `self` (methods only) or a class's name.
    fn returns(&mut self, path: &str, value: &Value, receiver: Option<ClassId>) -> Option<Output> {
        let name = self.string(path, value)?;
        let output = Output::from_name(name).or_else(|| self.class_named(name).map(Output::Object));
        match output {
            Some(Output::This) if receiver.is_none() => {
                self.error(
                    path,
                    "\"self\" returns a method's own object, for chaining; a function has \
                     none",
                );
                None
            }
            Some(output) => Some(output),
            None => {
                let known: Vec<String> = output_names()
                    .filter(|n| receiver.is_some() || *n != Output::This.name())
                    .map(str::to_owned)
                    .chain(self.known_classes())
                    .collect();
                self.error(
                    path,
                    format!(
                        "unknown result type {name:?} (expected one of: {}){}",
                        quoted_list(known.iter().map(String::as_str)),
                        did_you_mean(name, known.iter().map(String::as_str))
                    ),
                );
                None
            }
        }
    }

    /// The names of `classes`, once each, for messages.
    fn known_classes(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for name in self.class_names.iter().filter(|n| !n.is_empty()) {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        names
    }

    /// The class named `name` in `classes`.
    fn class_named(&self, name: &str) -> Option<ClassId> {
        let index = self.class_names.iter().position(|c| c == name)?;
        Some(ClassId(u32::try_from(index).ok()?))
    }

    fn params(&mut self, path: &str, value: &Value) -> Option<Vec<ParamDraft>> {
        let items = self.array(path, value)?;
        let mut params = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            params.push(self.param(&child_index(path, i), item));
        }
        let mut first_by_name: HashMap<&str, usize> = HashMap::new();
        for (i, p) in params.iter().enumerate() {
            let Some(name) = p.name.as_deref() else {
                continue;
            };
            match first_by_name.get(name) {
                Some(&first) => self.error(
                    &format!("{path}[{i}].name"),
                    format!("parameter name {name:?} is already used by params[{first}]"),
                ),
                None => {
                    first_by_name.insert(name, i);
                }
            }
        }
        Some(params)
    }

    fn param(&mut self, path: &str, value: &Value) -> ParamDraft {
        let mut draft = ParamDraft::default();
        let Some(map) = self.object(path, value, PARAM_KEYS, &["name", "type"]) else {
            draft.bad = true;
            return draft;
        };
        if let Some(v) = map.get("name") {
            let name_path = child_key(path, "name");
            if let Some(name) = self.string(&name_path, v) {
                if let Err(problem) = names::check_param_name(name) {
                    self.error(&name_path, problem.to_string());
                }
                draft.name = Some(name.to_owned());
            }
        }
        if let Some(v) = map.get("type") {
            let type_path = child_key(path, "type");
            if let Some(name) = self.string(&type_path, v) {
                draft.ty = ParamType::from_name(name)
                    .or_else(|| self.class_named(name).map(ParamType::Object));
                if draft.ty.is_none() {
                    let known: Vec<String> = param_type_names()
                        .map(str::to_owned)
                        .chain(self.known_classes())
                        .collect();
                    let hint =
                        if name.ends_with("_ptr") && CType::from_manifest_name(name).is_some() {
                            " (an output is not a parameter: declare the one output with \
                         \"returns\", and the C signature places it after every input)"
                                .to_owned()
                        } else if Output::from_name(name).is_some() {
                            " (\"none\" is a result type only: a function without parameters \
                         has \"params\": [])"
                                .to_owned()
                        } else {
                            did_you_mean(name, known.iter().map(String::as_str))
                        };
                    self.error(
                        &type_path,
                        format!(
                            "unknown parameter type {name:?} (expected one of: {}){hint}",
                            quoted_list(known.iter().map(String::as_str)),
                        ),
                    );
                }
            }
        }
        let flag = |checker: &mut Self, key: &str| -> Option<bool> {
            let v = map.get(key)?;
            let b = v.as_bool();
            if b.is_none() {
                checker.error(
                    &child_key(path, key),
                    format!("expected true or false, found {}", describe(v)),
                );
            }
            b
        };
        let keyword_only = flag(self, "keyword_only");
        let positional_only = flag(self, "positional_only");
        draft.optional = flag(self, "optional").unwrap_or(false);
        if let Some(v) = map.get("default") {
            let default_path = child_key(path, "default");
            match draft.ty.map(|ty| (ty, default_value(v, ty))) {
                Some((_, Ok(d))) => draft.default = Some(d),
                Some((ty, Err(expected))) => {
                    draft.bad = true;
                    self.error(
                        &default_path,
                        format!(
                            "the default of this {} parameter must be {expected}, found {}",
                            ty.name(),
                            describe(v)
                        ),
                    );
                }
                None => draft.bad = true,
            }
        }
        draft.passing = match (positional_only, keyword_only) {
            (Some(true), Some(true)) => {
                self.error(
                    &child_key(path, "positional_only"),
                    "a parameter cannot be both positional-only and keyword-only",
                );
                draft.bad = true;
                None
            }
            (Some(true), _) => Some(Passing::PositionalOnly),
            (_, Some(true)) => Some(Passing::KeywordOnly),
            (_, Some(false)) => Some(Passing::Either),
            // A defaulted parameter is keyword-only unless it says otherwise, so that
            // adding one never changes what a positional call means.
            _ if map.contains_key("default") => Some(Passing::KeywordOnly),
            _ => Some(Passing::Either),
        };
        draft
    }

    /// `errors`: the library's own status codes.
    pub(super) fn errors(&mut self, path: &str, value: &Value) -> Option<Vec<LibraryError>> {
        let items = self.array(path, value)?;
        let mut errors = Vec::with_capacity(items.len());
        let mut ok = true;
        let mut first_by_code: HashMap<i64, usize> = HashMap::new();
        let mut first_by_name: HashMap<String, usize> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            let item_path = child_index(path, i);
            let Some(map) = self.object(&item_path, item, ERROR_KEYS, &["code", "name"]) else {
                ok = false;
                continue;
            };
            let code = map.get("code").and_then(|v| {
                let code_path = child_key(&item_path, "code");
                let code = v
                    .as_i64()
                    .filter(|c| (FIRST_LIBRARY_CODE..=i64::from(i32::MAX)).contains(c));
                match code {
                    None => self.error(
                        &code_path,
                        format!(
                            "expected a status code of the library's own, a whole number \
                             from {FIRST_LIBRARY_CODE} to {} (0 to 4 are the ABI's, 5 to 999 \
                             are reserved for later ABI versions), found {}",
                            i32::MAX,
                            describe(v)
                        ),
                    ),
                    Some(c) => {
                        if let Some(first) = first_by_code.insert(c, i) {
                            self.error(
                                &code_path,
                                format!("status code {c} is already named by {path}[{first}]"),
                            );
                        }
                    }
                }
                code
            });
            let name = map.get("name").and_then(|v| {
                let name_path = child_key(&item_path, "name");
                let name = self.string(&name_path, v)?;
                if let Err(problem) = names::check_binding_name(name) {
                    self.error(&name_path, problem.to_string());
                } else if let Some(first) = first_by_name.insert(name.to_owned(), i) {
                    self.error(
                        &name_path,
                        format!("exception name {name:?} is already used by {path}[{first}]"),
                    );
                }
                Some(name.to_owned())
            });
            let base = match map.get("base") {
                None => Some(None),
                Some(v) => {
                    let base_path = child_key(&item_path, "base");
                    self.string(&base_path, v).and_then(|b| {
                        if PYTHON_ERROR_BASES.contains(&b) {
                            Some(Some(b.to_owned()))
                        } else {
                            self.error(
                                &base_path,
                                format!(
                                    "unknown base class {b:?} (expected one of the standard \
                                     exceptions: {}){}",
                                    quoted_list(PYTHON_ERROR_BASES),
                                    did_you_mean(b, PYTHON_ERROR_BASES)
                                ),
                            );
                            None
                        }
                    })
                }
            };
            let (doc, doc_bad) = self.doc(&item_path, map);
            match (code, name, base) {
                (Some(code), Some(name), Some(base)) if !doc_bad => errors.push(LibraryError {
                    code: i32::try_from(code).expect("checked range"),
                    name,
                    base,
                    doc,
                }),
                _ => ok = false,
            }
        }
        ok.then_some(errors)
    }
}

/// The default value `v` as one of `ty`'s, or what was expected.
fn default_value(v: &Value, ty: ParamType) -> Result<Default, String> {
    if v.is_null() {
        // Refused by Signature::problems unless the parameter is optional.
        return Ok(Default::None);
    }
    let value = match ty {
        ParamType::Object(_) => None,
        ParamType::Bytes => v.as_str().map(|s| Default::Bytes(s.as_bytes().to_vec())),
        ParamType::Str => v.as_str().map(|s| Default::Str(s.to_owned())),
        ParamType::Scalar(Scalar::Bool) => v.as_bool().map(Default::Bool),
        ParamType::Scalar(Scalar::Double) => v.as_f64().map(Default::Float),
        ParamType::Scalar(_) => v
            .as_i64()
            .map(i128::from)
            .or_else(|| v.as_u64().map(i128::from))
            .map(Default::Int),
    };
    let expected = || match ty {
        ParamType::Object(_) => "null (an object parameter's only default is None)".to_owned(),
        ParamType::Bytes => "a string (its UTF-8 bytes are the default)".to_owned(),
        ParamType::Str => "a string".to_owned(),
        ParamType::Scalar(Scalar::Bool) => "true or false".to_owned(),
        ParamType::Scalar(Scalar::Double) => "a number".to_owned(),
        ParamType::Scalar(s) => {
            let (lo, hi) = s.int_range().expect("integer type");
            format!("a whole number from {lo} to {hi}")
        }
    };
    match value {
        Some(d) if d.fits(ty) => Ok(d),
        _ => Err(expected()),
    }
}
