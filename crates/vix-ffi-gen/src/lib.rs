//! Vix FFI generators: the manifest model and its validation, and the Python backend
//! that turns a manifest into a typed ctypes package.

pub mod from_rust;
pub mod manifest;
pub mod names;
pub mod package;
pub mod python;
