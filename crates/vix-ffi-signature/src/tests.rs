use super::*;

fn names(sig: &Signature) -> Vec<(String, &'static str)> {
    sig.c_params()
        .into_iter()
        .map(|p| (p.name, p.ty.manifest_name()))
        .collect()
}

#[test]
fn the_operation_is_the_v1_shape() {
    let sig = Signature::operation("in", false, true);
    assert!(sig.is_operation());
    let got: Vec<_> = names(&sig).into_iter().map(|(_, t)| t).collect();
    assert_eq!(
        got,
        [
            "u8_ptr",
            "size_t",
            "u8_ptr",
            "size_t",
            "size_t_ptr",
            "vix_status_ptr"
        ]
    );
}

#[test]
fn c_params_come_in_three_groups() {
    let sig = Signature {
        receiver: None,
        params: vec![
            Param::new("data", ParamType::Bytes),
            Param::new("seed", ParamType::Scalar(Scalar::Uint32)),
            Param::new("x", ParamType::Scalar(Scalar::Double)),
        ],
        output: Output::Scalar(Scalar::Uint64),
    };
    assert!(!sig.is_operation());
    assert_eq!(
        names(&sig),
        [
            ("data_ptr".to_owned(), "u8_ptr"),
            ("data_len".to_owned(), "size_t"),
            ("seed".to_owned(), "uint32"),
            ("x".to_owned(), "double"),
            ("out_value".to_owned(), "uint64_ptr"),
            ("out_status".to_owned(), "vix_status_ptr"),
        ]
    );
    assert_eq!(
        sig.c_prototype("m_f"),
        "int m_f(const uint8_t *data_ptr, size_t data_len, uint32_t seed, double x, \
         uint64_t *out_value, vix_status *out_status)"
    );
    let none = Signature {
        receiver: None,
        params: vec![],
        output: Output::None,
    };
    assert_eq!(
        none.c_prototype("m_reset"),
        "int m_reset(vix_status *out_status)"
    );
}

#[test]
fn spellings_round_trip() {
    for t in ParamType::all() {
        assert_eq!(ParamType::from_name(t.name()), Some(t));
    }
    for o in Output::all() {
        assert_eq!(Output::from_name(o.name()), Some(o));
    }
    for c in CType::ALL {
        assert_eq!(CType::from_manifest_name(c.manifest_name()), Some(c));
    }
    for s in Scalar::ALL {
        assert_eq!(Scalar::from_rust_type(s.rust_type()), Some(s));
    }
    assert_eq!(ParamType::from_name("float"), None);
}

#[test]
fn defaults_fit_their_type_and_range() {
    let u32_ = ParamType::Scalar(Scalar::Uint32);
    assert!(Default::Int(0).fits(u32_));
    assert!(Default::Int(u32::MAX.into()).fits(u32_));
    assert!(!Default::Int(-1).fits(u32_));
    assert!(!Default::Int(i128::from(u32::MAX) + 1).fits(u32_));
    assert!(!Default::Float(1.0).fits(u32_));
    assert!(Default::Float(1.5).fits(ParamType::Scalar(Scalar::Double)));
    assert!(!Default::Float(f64::NAN).fits(ParamType::Scalar(Scalar::Double)));
    assert!(!Default::Int(1).fits(ParamType::Scalar(Scalar::Bool)));
    assert!(Default::Bool(true).fits(ParamType::Scalar(Scalar::Bool)));
    assert!(Default::Bytes(vec![]).fits(ParamType::Bytes));
    assert!(!Default::Str(String::new()).fits(ParamType::Bytes));
}

#[test]
fn problems_name_the_parameter() {
    let clash = Signature {
        receiver: None,
        params: vec![
            Param::new("a", ParamType::Bytes),
            Param::new("a_len", ParamType::Scalar(Scalar::Size)),
        ],
        output: Output::None,
    };
    let problems = clash.problems();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].0, Some(1));
    assert!(problems[0].1.contains("\"a_len\""), "{problems:?}");

    let reserved = Signature {
        receiver: None,
        params: vec![Param::new("out_value", ParamType::Scalar(Scalar::Int32))],
        output: Output::Scalar(Scalar::Int32),
    };
    assert_eq!(reserved.problems().len(), 1);

    let mut level = Param::new("level", ParamType::Scalar(Scalar::Int32));
    level.default = Some(Default::Int(3));
    let order = Signature {
        receiver: None,
        params: vec![level.clone(), Param::new("data", ParamType::Bytes)],
        output: Output::Bytes,
    };
    let problems = order.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, Some(1));
    // Keyword-only, the same order is fine.
    level.passing = Passing::KeywordOnly;
    let fine = Signature {
        receiver: None,
        params: vec![level, Param::new("data", ParamType::Bytes)],
        output: Output::Bytes,
    };
    assert!(fine.problems().is_empty());

    let mut late = Param::new("late", ParamType::Bytes);
    late.passing = Passing::PositionalOnly;
    let positional = Signature {
        receiver: None,
        params: vec![Param::new("early", ParamType::Bytes), late],
        output: Output::None,
    };
    assert_eq!(positional.problems().len(), 1);
}

#[test]
fn a_method_takes_its_object_first_and_may_return_another() {
    let mut other = Param::new("other", ParamType::Object(ClassId(1)));
    other.optional = true;
    let sig = Signature {
        receiver: Some(ClassId(0)),
        params: vec![Param::new("data", ParamType::Bytes), other],
        output: Output::Object(ClassId(1)),
    };
    let roles: Vec<Role> = sig.c_params().into_iter().map(|p| p.role).collect();
    assert_eq!(
        roles,
        [
            Role::SelfHandle,
            Role::InputPtr(0),
            Role::InputLen(0),
            Role::Object(1),
            Role::OutHandle,
            Role::Status
        ]
    );
    let names = ["pkg_hasher", "pkg_key"];
    assert_eq!(
        sig.c_prototype_with("pkg_hasher_mix", |c| names[c.0 as usize].to_owned()),
        "int pkg_hasher_mix(pkg_hasher *self, const uint8_t *data_ptr, size_t data_len, \
         pkg_key *other, pkg_key **out_handle, vix_status *out_status)"
    );
    assert_eq!(
        sig.classes().collect::<Vec<_>>(),
        [ClassId(0), ClassId(1), ClassId(1)]
    );
    assert!(!sig.is_operation());
    assert!(sig.problems().is_empty());

    let chain = Signature {
        receiver: Some(ClassId(0)),
        params: vec![],
        output: Output::This,
    };
    assert_eq!(
        chain.c_prototype("pkg_t_reset"),
        "int pkg_t_reset(void *self, vix_status *out_status)"
    );
}

#[test]
fn only_buffers_and_objects_may_be_optional() {
    let mut n = Param::new("n", ParamType::Scalar(Scalar::Int32));
    n.optional = true;
    let sig = Signature {
        receiver: None,
        params: vec![n],
        output: Output::None,
    };
    assert_eq!(sig.problems().len(), 1);
    let mut key = Param::new("key", ParamType::Bytes);
    key.default = Some(Default::None);
    let sig = Signature {
        receiver: None,
        params: vec![key],
        output: Output::None,
    };
    let problems = sig.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].1.contains("\"optional\": true"));
}
