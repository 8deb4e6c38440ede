//! `vix-ffi from-rust`: the manifest and the C header of a Rust crate written with
//! `#[vix_ffi::export]`, from its source.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use vix_ffi_gen::from_rust::{self, FromRustError};

/// Options of `vix-ffi from-rust`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The crate's folder, holding its Cargo.toml.
    #[arg(long = "crate", value_name = "DIR")]
    krate: PathBuf,
    /// Where to write the manifest [default: DIR/bindings.json].
    #[arg(long, value_name = "PATH")]
    out_manifest: Option<PathBuf>,
    /// Where to write the C header [default: DIR/include/<prefix without _>/<library>.h].
    #[arg(long, value_name = "PATH")]
    out_header: Option<PathBuf>,
    /// Write nothing; fail when a file differs from what would be written (for CI).
    #[arg(long)]
    check: bool,
}

/// Runs the command: read and check everything, render in memory, then write each file
/// atomically (or compare it, with `--check`).
pub fn run(args: Args) -> Result<()> {
    if let Some(warning) = from_rust::cargo::read(&args.krate)
        .ok()
        .as_ref()
        .and_then(from_rust::cargo::cdylib_warning)
    {
        eprintln!("warning: {warning}");
    }
    let generated = match from_rust::generate(&args.krate) {
        Ok(generated) => generated,
        Err(FromRustError::Source(problems)) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            bail!(
                "{} problem{} in the source of {}; nothing was written",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" },
                args.krate.display()
            );
        }
        Err(err) => return Err(err).context("nothing was written"),
    };
    let files = [
        (
            args.out_manifest.unwrap_or(generated.manifest_path),
            generated.manifest,
        ),
        (
            args.out_header.unwrap_or(generated.header_path),
            generated.header,
        ),
    ];
    let names: Vec<&str> = generated
        .library
        .functions
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    if args.check {
        let stale: Vec<String> = files
            .iter()
            .filter(|(path, text)| std::fs::read_to_string(path).ok().as_ref() != Some(text))
            .map(|(path, _)| path.display().to_string())
            .collect();
        if !stale.is_empty() {
            bail!(
                "out of date with the source of {}: {}; run `vix-ffi from-rust --crate {}`",
                args.krate.display(),
                stale.join(", "),
                args.krate.display()
            );
        }
        println!(
            "{} and {} are up to date ({})",
            files[0].0.display(),
            files[1].0.display(),
            names.join(", ")
        );
        return Ok(());
    }
    for (path, text) in &files {
        write_atomically(path, text)?;
    }
    let classes: Vec<&str> = generated
        .library
        .classes
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let classes = if classes.is_empty() {
        String::new()
    } else {
        format!("; {} classes: {}", classes.len(), classes.join(", "))
    };
    println!(
        "wrote {} and {} ({} functions: {}{classes})",
        files[0].0.display(),
        files[1].0.display(),
        names.len(),
        names.join(", ")
    );
    Ok(())
}

/// Writes `text` to a temporary file beside `path`, then renames it into place: a reader
/// sees the old file or the new one, never half of one.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file path", path.display()))?;
    let temp = dir.join(format!(".{}.vix-ffi-tmp", name.to_string_lossy()));
    std::fs::write(&temp, text).with_context(|| format!("cannot write {}", temp.display()))?;
    if let Err(err) = std::fs::rename(&temp, path) {
        let _ = std::fs::remove_file(&temp);
        return Err(err).with_context(|| format!("cannot replace {}", path.display()));
    }
    Ok(())
}
