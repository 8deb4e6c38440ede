//! The binding manifest (`bindings.json`): its validated model, and the parser that
//! turns JSON text into it or into a list of every problem found.

mod model;

pub use model::*;
