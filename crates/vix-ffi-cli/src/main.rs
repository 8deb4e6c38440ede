//! The `vix-ffi` command: a thin layer over `vix-ffi-gen`, one module per subcommand.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod build;
mod check;
mod develop;
mod from_rust;
mod gen_package;
mod gen_python;
mod new;

/// Vix FFI tools: Python bindings for native libraries that follow the Vix FFI v1 ABI.
#[derive(Parser, Debug)]
#[command(name = "vix-ffi", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Generate a typed ctypes package (DIR/python/<package>/) from a binding manifest.
    GenPython(gen_python::Args),
    /// Write a PEP 621 project around a generated package, optionally bundling the library
    /// (a manylinux wheel on Linux).
    GenPackage(gen_package::Args),
    /// Check that a built library honours the Vix FFI v1 contract, rule by rule (exit 0: all
    /// pass, 1: a violation, 2: could not run).
    Check(check::Args),
    /// Write the manifest and C header of a Rust crate written with #[vix_ffi::export],
    /// from its source.
    FromRust(from_rust::Args),
    /// Build a Rust crate written with #[vix_ffi::export], or with --cmake a CMake project
    /// using vix_ffi_add_library(), into a wheel: the release build, its manifest,
    /// gen-python, gen-package --copy-lib, and the wheel.
    Build(build::Args),
    /// Build a Rust crate written with #[vix_ffi::export] and install its package,
    /// editable, into the active virtual environment.
    Develop(develop::Args),
    /// Create a new library project (a Rust crate, or with --lang cpp a C++ library built
    /// by CMake) that builds into a wheel with `vix-ffi build`.
    New(new::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::GenPython(args) => gen_python::run(args),
        Command::GenPackage(args) => gen_package::run(args),
        Command::Check(args) => check::run(args),
        Command::FromRust(args) => from_rust::run(args),
        Command::Build(args) => build::run(args),
        Command::Develop(args) => develop::run(args),
        Command::New(args) => new::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
