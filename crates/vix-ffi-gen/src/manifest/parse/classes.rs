//! The ABI v1.1 objects of the walk: `classes`, each with its constructor, methods and
//! constants.

use std::collections::HashMap;

use serde_json::{Map, Value};
use vix_ffi_signature::snake_case;

use super::{describe, Checker};
use crate::manifest::model::{Class, ClassId, Default, Method, Output, ParamType};
use crate::manifest::spans::{child_index, child_key};
use crate::names;

const CLASS_KEYS: &[&str] = &[
    "name",
    "c_name",
    "doc",
    "thread_safe",
    "init",
    "methods",
    "constants",
];
const INIT_KEYS: &[&str] = &["params", "doc"];
const METHOD_KEYS: &[&str] = &["name", "params", "returns", "doc"];

/// Names every generated class defines itself (the run-time base class's), which a
/// method or constant may not take.
pub(super) const CLASS_RESERVED: [&str; 2] = ["close", "closed"];

/// Method names whose symbols the class's constructor and release function have.
const SYMBOL_RESERVED: [&str; 2] = ["new", "free"];

impl Checker<'_> {
    /// `classes`.
    pub(super) fn classes(
        &mut self,
        path: &str,
        value: &Value,
        prefix: Option<&str>,
    ) -> Option<Vec<Class>> {
        let items = self.array(path, value)?;
        let mut classes = Vec::with_capacity(items.len());
        let mut ok = true;
        let mut first_by_name: HashMap<String, usize> = HashMap::new();
        let mut first_by_c_name: HashMap<String, usize> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            let item_path = child_index(path, i);
            let id = ClassId(u32::try_from(i).expect("fewer than 2^32 classes"));
            match self.class(&item_path, item, id, prefix) {
                Some(class) => {
                    if let Some(first) = first_by_name.insert(class.name.clone(), i) {
                        self.error(
                            &child_key(&item_path, "name"),
                            format!(
                                "class name {:?} is already used by {path}[{first}]",
                                class.name
                            ),
                        );
                        ok = false;
                    }
                    if let Some(first) = first_by_c_name.insert(class.c_name.clone(), i) {
                        self.error(
                            &item_path,
                            format!(
                                "C name {:?} is already used by {path}[{first}]: set \"c_name\"",
                                class.c_name
                            ),
                        );
                        ok = false;
                    }
                    classes.push(class);
                }
                None => ok = false,
            }
        }
        ok.then_some(classes)
    }

    fn class(
        &mut self,
        path: &str,
        value: &Value,
        id: ClassId,
        prefix: Option<&str>,
    ) -> Option<Class> {
        let map = self.object(path, value, CLASS_KEYS, &["name"])?;
        let mut ok = true;
        let name = map.get("name").and_then(|v| {
            let name_path = child_key(path, "name");
            let name = self.string(&name_path, v)?;
            let problem = names::check_binding_name(name).err().map(|e| e.to_string());
            let problem = problem.or_else(|| {
                (ParamType::from_name(name).is_some() || Output::from_name(name).is_some())
                    .then(|| format!("{name:?} is a type name of the manifest; use another"))
            });
            if let Some(problem) = problem {
                self.error(&name_path, problem);
                return None;
            }
            Some(name.to_owned())
        });
        let c_name = match map.get("c_name") {
            Some(v) => {
                let c_path = child_key(path, "c_name");
                self.string(&c_path, v).and_then(|c| {
                    let problem = names::check_symbol(c).err().map(|e| e.to_string());
                    let problem = problem.or_else(|| {
                        prefix.filter(|p| !c.starts_with(p)).map(|p| {
                            format!(
                                "C name {c:?} does not start with symbol_prefix {p:?} (every \
                                 symbol of the class starts with it)"
                            )
                        })
                    });
                    if let Some(problem) = problem {
                        self.error(&c_path, problem);
                        return None;
                    }
                    Some(c.to_owned())
                })
            }
            None => name
                .as_deref()
                .map(|n| format!("{}{}", prefix.unwrap_or(""), snake_case(n))),
        };
        let thread_safe = match map.get("thread_safe") {
            None => false,
            Some(v) => v.as_bool().unwrap_or_else(|| {
                self.error(
                    &child_key(path, "thread_safe"),
                    format!("expected true or false, found {}", describe(v)),
                );
                ok = false;
                false
            }),
        };
        let (doc, doc_bad) = self.doc(path, map);
        ok &= !doc_bad;
        let (name, c_name) = (name?, c_name?);

        let init = match map.get("init") {
            None => None,
            Some(v) => {
                let init_path = child_key(path, "init");
                let init_map = self.object(&init_path, v, INIT_KEYS, &[])?;
                let signature = self.signature(&init_path, init_map, None, Output::Object(id));
                let (doc, doc_bad) = self.doc(&init_path, init_map);
                ok &= !doc_bad && signature.is_some();
                signature.map(|signature| Method {
                    name: "__init__".to_owned(),
                    symbol: format!("{c_name}_new"),
                    signature,
                    doc,
                })
            }
        };
        let methods = match map.get("methods") {
            None => Vec::new(),
            Some(v) => self.methods(&child_key(path, "methods"), v, id, &c_name)?,
        };
        let constants = match map.get("constants") {
            None => Vec::new(),
            Some(v) => self.constants(&child_key(path, "constants"), v, &methods)?,
        };
        ok.then(|| Class {
            free_symbol: format!("{c_name}_free"),
            name,
            c_name,
            doc,
            thread_safe,
            init,
            methods,
            constants,
        })
    }

    fn methods(
        &mut self,
        path: &str,
        value: &Value,
        id: ClassId,
        c_name: &str,
    ) -> Option<Vec<Method>> {
        let items = self.array(path, value)?;
        let mut methods = Vec::with_capacity(items.len());
        let mut ok = true;
        let mut first_by_name: HashMap<String, usize> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            let item_path = child_index(path, i);
            let Some(map) = self.object(&item_path, item, METHOD_KEYS, &["name"]) else {
                ok = false;
                continue;
            };
            let name = self.method_name(&item_path, map);
            let signature = self.signature(&item_path, map, Some(id), Output::None);
            let (doc, doc_bad) = self.doc(&item_path, map);
            let (Some(name), Some(signature), false) = (name, signature, doc_bad) else {
                ok = false;
                continue;
            };
            if let Some(first) = first_by_name.insert(name.clone(), i) {
                self.error(
                    &child_key(&item_path, "name"),
                    format!("method name {name:?} is already used by {path}[{first}]"),
                );
                ok = false;
            }
            methods.push(Method {
                symbol: format!("{c_name}_{name}"),
                name,
                signature,
                doc,
            });
        }
        ok.then_some(methods)
    }

    /// A method's or constant's name: a binding name that the class does not define
    /// itself.
    fn member_name(&mut self, path: &str, value: &Value) -> Option<String> {
        let name = self.string(path, value)?;
        if let Err(problem) = names::check_param_name(name) {
            self.error(path, problem.to_string());
            return None;
        }
        if CLASS_RESERVED.contains(&name) {
            self.error(
                path,
                format!(
                    "{name:?} is defined by every generated class (close() releases the \
                     object, closed tells whether it was); use another name"
                ),
            );
            return None;
        }
        Some(name.to_owned())
    }

    fn method_name(&mut self, path: &str, map: &Map<String, Value>) -> Option<String> {
        let name_path = child_key(path, "name");
        let name = self.member_name(&name_path, map.get("name")?)?;
        if SYMBOL_RESERVED.contains(&name.as_str()) {
            self.error(
                &name_path,
                format!(
                    "a method named {name:?} would have the symbol of the class's \
                     {} (<c_name>_{name}); use another name",
                    if name == "new" {
                        "constructor"
                    } else {
                        "release function"
                    }
                ),
            );
            return None;
        }
        Some(name)
    }

    /// `constants`: `{"name": value}`, each value a string, number or boolean.
    fn constants(
        &mut self,
        path: &str,
        value: &Value,
        methods: &[Method],
    ) -> Option<Vec<(String, Default)>> {
        let Some(map) = value.as_object() else {
            self.error(
                path,
                format!(
                    "expected an object of name: value, found {}",
                    describe(value)
                ),
            );
            return None;
        };
        let mut constants = Vec::with_capacity(map.len());
        let mut ok = true;
        // In document order: serde_json keeps keys sorted, so the spans give the order.
        let mut keys: Vec<&String> = map.keys().collect();
        keys.sort_by_key(|k| self.spans.key(&child_key(path, k)));
        for key in keys {
            let item_path = child_key(path, key);
            let Some(name) = self.member_name(&item_path, &Value::String(key.clone())) else {
                ok = false;
                continue;
            };
            if methods.iter().any(|m| m.name == name) {
                self.error(
                    &item_path,
                    format!("{name:?} is already the name of a method of the class"),
                );
                ok = false;
                continue;
            }
            let v = &map[key];
            let constant = match v {
                Value::String(s) => Some(Default::Str(s.clone())),
                Value::Bool(b) => Some(Default::Bool(*b)),
                Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                    (Some(i), _, _) => Some(Default::Int(i.into())),
                    (_, Some(u), _) => Some(Default::Int(u.into())),
                    (_, _, Some(f)) => Some(Default::Float(f)),
                    _ => None,
                },
                _ => None,
            };
            match constant {
                Some(c) => constants.push((name, c)),
                None => {
                    self.error(
                        &item_path,
                        format!(
                            "a constant is a string, a number or a boolean, found {}",
                            describe(v)
                        ),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(constants)
    }
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn class_names_become_snake_case_symbol_stems() {
        assert_eq!(snake_case("blake3"), "blake3");
        assert_eq!(snake_case("Hasher"), "hasher");
        assert_eq!(snake_case("HashState"), "hash_state");
        assert_eq!(snake_case("Sha256Hasher"), "sha256_hasher");
        assert_eq!(snake_case("HTTPClient"), "httpclient");
    }
}
