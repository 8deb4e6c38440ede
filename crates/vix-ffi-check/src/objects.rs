//! The classes of a manifest (ABI v1.1 objects), as the checker sees them: each
//! constructor and method is checked as a function of a typed signature (named
//! `Class.new`, `Class.method` in reports), the class itself gets the class rules (under
//! its name, with its `free` as the symbol), and every signature that names a class
//! carries how to make an object of it (for `self` and object arguments) and how to
//! release one ([`ClassLife`]).

use vix_ffi_gen::manifest::{
    Arg, CType, Class, ClassId, Function, Manifest, Output, ParamType, Signature,
};

use crate::protocol::{ClassLife, Maker, TypedSignature};
use crate::values;

/// The manifest's functions, then for each class its constructor, its methods and the
/// class itself, as the checker reports them.
pub fn functions(manifest: &Manifest) -> Vec<Function> {
    let mut out = manifest.functions.clone();
    for class in &manifest.classes {
        let typed = |name: String, symbol: &str, sig: &Signature, doc: &Option<String>| Function {
            name,
            symbol: symbol.to_owned(),
            restype: CType::Int,
            args: sig
                .c_params()
                .into_iter()
                .map(|p| Arg {
                    name: p.name,
                    ty: p.ty,
                })
                .collect(),
            doc: doc.clone(),
            signature: Some(sig.clone()),
        };
        if let Some(init) = &class.init {
            out.push(typed(
                format!("{}.new", class.name),
                &init.symbol,
                &init.signature,
                &init.doc,
            ));
        }
        for m in &class.methods {
            out.push(typed(
                format!("{}.{}", class.name, m.name),
                &m.symbol,
                &m.signature,
                &m.doc,
            ));
        }
        out.push(Function {
            name: class.name.clone(),
            symbol: class.free_symbol.clone(),
            restype: CType::Void,
            args: vec![Arg {
                name: "self".into(),
                ty: CType::Handle,
            }],
            doc: class.doc.clone(),
            signature: None,
        });
    }
    out
}

/// The class whose `free` is `symbol`, with its index.
pub fn class_freed_by<'m>(manifest: &'m Manifest, symbol: &str) -> Option<(ClassId, &'m Class)> {
    manifest
        .classes
        .iter()
        .enumerate()
        .find(|(_, c)| c.free_symbol == symbol)
        .map(|(i, c)| (ClassId(i as u32), c))
}

/// `sig` as it crosses to a child, with how to make and free every class it names.
pub fn typed_signature(manifest: &Manifest, sig: &Signature) -> TypedSignature {
    let mut ids: Vec<ClassId> = sig.classes().collect();
    ids.sort();
    ids.dedup();
    TypedSignature::of(sig)
        .with_classes(ids.into_iter().filter_map(|c| life(manifest, c)).collect())
}

/// How to make and release an object of class `id`.
pub fn life(manifest: &Manifest, id: ClassId) -> Option<ClassLife> {
    let class = manifest.classes.get(id.0 as usize)?;
    Some(ClassLife {
        id: id.0,
        name: class.name.clone(),
        free: class.free_symbol.clone(),
        maker: maker(manifest, id, class),
    })
}

/// The call that makes an object of `class` on its own: its constructor, else the first
/// function returning one; either without object parameters, called with each
/// parameter's default (or an ordinary value).
fn maker(manifest: &Manifest, id: ClassId, class: &Class) -> Option<Maker> {
    let alone = |sig: &Signature| {
        sig.receiver.is_none()
            && sig.output == Output::Object(id)
            && sig
                .params
                .iter()
                .all(|p| !matches!(p.ty, ParamType::Object(_)))
    };
    let init = class
        .init
        .as_ref()
        .filter(|m| alone(&m.signature))
        .map(|m| {
            (
                format!("{}.new", class.name),
                m.symbol.clone(),
                &m.signature,
            )
        });
    let (function, symbol, sig) = init.or_else(|| {
        manifest.functions.iter().find_map(|f| {
            let sig = f.signature.as_ref().filter(|s| alone(s))?;
            Some((f.name.clone(), f.symbol.clone(), sig))
        })
    })?;
    Some(Maker {
        function,
        symbol,
        signature: TypedSignature::of(sig),
        args: sig
            .params
            .iter()
            .map(|p| values::derived(p.ty, p.default.as_ref()))
            .collect(),
    })
}

/// The methods of class `id`, as a class job carries them: `(name, symbol, signature)`.
pub fn methods(manifest: &Manifest, id: ClassId) -> Vec<(String, String, TypedSignature)> {
    let Some(class) = manifest.classes.get(id.0 as usize) else {
        return Vec::new();
    };
    class
        .methods
        .iter()
        .map(|m| {
            (
                format!("{}.{}", class.name, m.name),
                m.symbol.clone(),
                typed_signature(manifest, &m.signature),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Value;
    use vix_ffi_gen::manifest;

    fn objlib() -> Manifest {
        let text = include_str!("../../../tests/fixtures/c_objects/bindings.json");
        manifest::parse(text).unwrap_or_else(|d| panic!("{d}"))
    }

    #[test]
    fn classes_become_constructor_method_and_class_entries() {
        let m = objlib();
        let names: Vec<String> = functions(&m).into_iter().map(|f| f.name).collect();
        for name in [
            "hash_of",
            "Hasher.new",
            "Hasher.update",
            "Hasher",
            "Counter.add",
        ] {
            assert!(names.contains(&name.to_owned()), "{name} in {names:?}");
        }
        let (id, class) = class_freed_by(&m, "objlib_hasher_free").expect("Hasher");
        assert_eq!((id, class.name.as_str()), (ClassId(0), "Hasher"));
        assert!(class_freed_by(&m, "objlib_hasher_new").is_none());
    }

    #[test]
    fn a_class_is_made_by_its_constructor_with_its_defaults() {
        let m = objlib();
        let life = life(&m, ClassId(0)).expect("Hasher");
        assert_eq!(life.free, "objlib_hasher_free");
        let maker = life.maker.expect("Hasher has an init");
        assert_eq!(maker.symbol, "objlib_hasher_new");
        // key is optional with the default None: passed as NULL.
        match maker.args.as_slice() {
            [Value::Buffer(b)] => assert!(b.null_ptr && b.bytes.is_empty()),
            other => panic!("{other:?}"),
        }
        // A method's signature carries its class; absorb's other is a Hasher too.
        let absorb = methods(&m, ClassId(0))
            .into_iter()
            .find(|(n, _, _)| n == "Hasher.absorb")
            .expect("absorb");
        assert_eq!(absorb.2.receiver, Some(0));
        assert_eq!(absorb.2.params[0].1, "class:0");
        assert_eq!(absorb.2.classes.len(), 1);
        let sig = absorb.2.signature().expect("known types");
        assert_eq!(sig.params[0].ty, ParamType::Object(ClassId(0)));
    }

    #[test]
    fn a_class_without_init_is_made_by_a_function_returning_it() {
        let mut m = objlib();
        m.classes[0].init = None;
        let maker = life(&m, ClassId(0)).and_then(|l| l.maker).expect("hash_of");
        assert_eq!(maker.function, "hash_of");
        // data has no default: an ordinary value.
        assert!(matches!(maker.args.as_slice(), [Value::Buffer(b)] if !b.bytes.is_empty()));
        m.functions.retain(|f| f.name != "hash_of");
        assert!(life(&m, ClassId(0)).and_then(|l| l.maker).is_none());
    }
}
