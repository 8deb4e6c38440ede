//! Project automation, run as `cargo xtask <command>` (an alias in `.cargo/config.toml`).
//!
//! - `quickstart`: build the example in release mode, generate its Python package and call
//!   it from Python, printing each command as it runs;
//! - `test`: every test of the project (lints, Rust tests, header checks, the guide's
//!   examples and its build, the Python suites against generated code), installing the
//!   Python tools it needs into `target/venv` and the cargo-installed ones into
//!   `target/tools`;
//! - `wheel`: the example's manylinux wheel, built into `dist/`;
//! - `bench`: the example's generated package against ctypes, cffi, the standard library
//!   and pybase64, with a verdict per performance target (into `target/bench-venv`).
//!
//! Everything is plain `std::process::Command`: no shell, so it behaves the same on any
//! machine with cargo, a C compiler and Python 3.

mod bench;
mod quickstart;
mod test;
mod tools;
mod util;
mod venv;
mod wheel;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Vix FFI project tasks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the base64_ffi example, generate its Python package, and call it from Python.
    Quickstart,
    /// Run every test: lints, Rust tests, and the Python suites on generated packages.
    Test(test::Args),
    /// Build the example's manylinux wheel into dist/ (gen-python, gen-package, python -m build).
    Wheel(wheel::Args),
    /// Benchmark the example's generated package against ctypes, cffi, the standard
    /// library and pybase64, and print each performance target as MET or NOT MET.
    Bench(bench::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Quickstart => quickstart::run_quickstart(),
        Command::Test(args) => test::run_tests(&args),
        Command::Wheel(args) => wheel::run_wheel(&args),
        Command::Bench(args) => bench::run_bench(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
