//! Renders the models with the templates under `templates/`.

use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use serde::Serialize;

/// `(template name, source)`; the names are the generated files' names plus `.j2`.
const TEMPLATES: [(&str, &str); 4] = [
    ("_vix_base.py.j2", include_str!("templates/_vix_base.py.j2")),
    ("_native.py.j2", include_str!("templates/_native.py.j2")),
    ("api.py.j2", include_str!("templates/api.py.j2")),
    ("__init__.py.j2", include_str!("templates/__init__.py.j2")),
];

/// The template environment: no escaping (the output is Python, and the model already
/// holds literals), strict about undefined values, and block tags that leave no blank
/// lines behind.
fn environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(env)
}

/// Renders `template` with `model`.
pub fn render(template: &str, model: &impl Serialize) -> Result<String, minijinja::Error> {
    let env = environment()?;
    let text = env
        .get_template(template)?
        .render(Value::from_serialize(model))?;
    Ok(text)
}
