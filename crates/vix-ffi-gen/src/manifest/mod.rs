//! The binding manifest (`bindings.json`): its validated model, and the parser that
//! turns JSON text into it or into a list of every problem found.

mod diagnostic;
mod model;
mod parse;
mod spans;
mod suggest;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use model::*;
pub use parse::{parse, DEFAULT_ENV_VAR};
