//! `vix-ffi gen-python`: a typed ctypes package from a binding manifest.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use vix_ffi_gen::{manifest, python};

/// Options of `vix-ffi gen-python`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The binding manifest (bindings.json).
    #[arg(long, value_name = "FILE")]
    spec: PathBuf,
    /// The output folder: the package is written to DIR/python/<package>/, replacing one
    /// generated there before.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Also build the compiled backend (`_vix_ext.c`) in the package folder, for this
    /// Python (e.g. `python3`); the C compiler is $CC, else cc.
    #[arg(long, value_name = "PYTHON")]
    compile: Option<String>,
}

/// Runs the command: parse and validate the manifest, render every file in memory, then
/// write them all at once. On any manifest error, prints every diagnostic and writes
/// nothing.
pub fn run(args: Args) -> Result<()> {
    let spec = &args.spec;
    let text =
        std::fs::read_to_string(spec).with_context(|| format!("cannot read {}", spec.display()))?;
    let manifest = match manifest::parse(&text) {
        Ok(manifest) => manifest,
        Err(diagnostics) => {
            for diagnostic in &diagnostics {
                eprintln!("{}: {diagnostic}", spec.display());
            }
            let n = diagnostics.len();
            bail!(
                "{n} error{}; nothing written",
                if n == 1 { "" } else { "s" }
            );
        }
    };
    // Only the file name goes into the generated files, so that they do not depend on
    // where the manifest was read from.
    let source_name = spec
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bindings.json".to_owned());
    let package = python::generate(&manifest, &source_name)?;
    let report = package.write(&args.out).with_context(|| {
        format!(
            "cannot write the package {} under {}; nothing written",
            package.package,
            args.out.display()
        )
    })?;
    if !report.removed.is_empty() {
        eprintln!(
            "warning: the package folder generated before also held {}, which {} deleted \
             with it (bundle a library with `vix-ffi gen-package --copy-lib` instead)",
            report.removed.join(", "),
            if report.removed.len() == 1 {
                "was"
            } else {
                "were"
            }
        );
    }
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    println!(
        "{} {} ({})",
        if report.replaced { "replaced" } else { "wrote" },
        report.dir.display(),
        package
            .files
            .iter()
            .map(|f| f.name)
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(python_bin) = &args.compile {
        if package.file(python::ext::C_FILE).is_none() {
            eprintln!(
                "note: this package has no compiled backend (an api function has a shape \
                 it does not implement); it runs on ctypes"
            );
        } else {
            let built = python::ext::compile::compile(&report.dir, python_bin)
                .context("cannot build the compiled backend")?;
            println!("built {}", built.display());
        }
    }
    Ok(())
}
