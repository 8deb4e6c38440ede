//! Running child processes: one job each, with a time limit, surviving their crashes.

use std::ffi::OsString;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::protocol::{Event, Job};

/// How to start a child: a program (usually the `vix-ffi` binary itself) and the arguments
/// that put it in child mode ([`crate::child_main`]). The job is written to its standard
/// input.
#[derive(Clone, Debug)]
pub struct ChildCommand {
    /// The program.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// Environment variables set for it, beyond the checker's own (the check adds
    /// `LD_PRELOAD` for its shim).
    pub env: Vec<(OsString, OsString)>,
}

/// How a child ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// It exited with this code.
    Exited(i32),
    /// It was killed by this signal.
    Signaled(i32),
    /// It ran past the time limit and was killed.
    TimedOut,
}

/// What a child said and how it ended.
#[derive(Clone, Debug)]
pub struct ChildRun {
    /// Every protocol event, in order.
    pub events: Vec<Event>,
    /// How it ended.
    pub end: End,
    /// The end of what it wrote to standard error (the library's output included).
    pub stderr: String,
}

/// Standard error kept from a child: its last bytes.
const STDERR_TAIL: usize = 4096;

/// Runs one job in a fresh child and waits for it, at most `timeout`.
pub fn run_child(cmd: &ChildCommand, job: &Job, timeout: Duration) -> std::io::Result<ChildRun> {
    let mut command = Command::new(&cmd.program);
    command
        .args(&cmd.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // glibc's fatal messages ("free(): invalid pointer") go to the terminal unless
        // this is set; we want them in the report.
        .env("LIBC_FATAL_STDERR_", "1")
        .envs(cmd.env.iter().map(|(k, v)| (k, v)));
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        // Its own process group, so that a timeout kills whatever it started too.
        command.process_group(0);
    }
    let mut child = command.spawn()?;
    let job_text = serde_json::to_vec(job).expect("jobs always serialize");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");

    let (events, stderr_text, end) = std::thread::scope(|scope| {
        scope.spawn(move || {
            // A child that dies early closes its end: nothing to do about that here.
            let _ = stdin.write_all(&job_text);
        });
        let events = scope.spawn(move || {
            let mut events = Vec::new();
            let mut reader = BufReader::new(stdout);
            let mut line = Vec::new();
            while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                if let Some(event) = Event::from_line(String::from_utf8_lossy(&line).trim_end()) {
                    events.push(event);
                }
                line.clear();
            }
            events
        });
        let stderr_text = scope.spawn(move || {
            let mut tail = Vec::new();
            let mut buf = [0u8; 8192];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                tail.extend_from_slice(&buf[..n]);
                if tail.len() > 2 * STDERR_TAIL {
                    tail.drain(..tail.len() - STDERR_TAIL);
                }
            }
            let start = tail.len().saturating_sub(STDERR_TAIL);
            String::from_utf8_lossy(&tail[start..]).into_owned()
        });
        let end = wait(&mut child, timeout);
        (
            events.join().unwrap_or_default(),
            stderr_text.join().unwrap_or_default(),
            end,
        )
    });
    Ok(ChildRun {
        events,
        end: end?,
        stderr: stderr_text,
    })
}

fn wait(child: &mut Child, timeout: Duration) -> std::io::Result<End> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(end_of(status));
        }
        if Instant::now() >= deadline {
            kill(child);
            child.wait()?;
            return Ok(End::TimedOut);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

fn kill(child: &mut Child) {
    #[cfg(unix)]
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) on the process group we created for this child.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
        return;
    }
    let _ = child.kill();
}

fn end_of(status: std::process::ExitStatus) -> End {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(signal) = status.signal() {
            return End::Signaled(signal);
        }
    }
    End::Exited(status.code().unwrap_or(-1))
}

/// `SIGSEGV (segmentation fault)` and the like.
pub fn signal_name(signal: i32) -> String {
    #[cfg(unix)]
    {
        let known = [
            (libc::SIGSEGV, "SIGSEGV", "segmentation fault"),
            (libc::SIGBUS, "SIGBUS", "bus error"),
            (libc::SIGABRT, "SIGABRT", "abort"),
            (libc::SIGFPE, "SIGFPE", "arithmetic exception"),
            (libc::SIGILL, "SIGILL", "illegal instruction"),
            (libc::SIGTRAP, "SIGTRAP", "trap"),
            (libc::SIGSYS, "SIGSYS", "bad system call"),
            (libc::SIGKILL, "SIGKILL", "killed"),
            (libc::SIGTERM, "SIGTERM", "terminated"),
            (libc::SIGPIPE, "SIGPIPE", "broken pipe"),
        ];
        if let Some((_, name, what)) = known.iter().find(|(n, _, _)| *n == signal) {
            return format!("{name} ({what})");
        }
    }
    format!("signal {signal}")
}

/// Runs `jobs` on `workers` threads, each job in its own child; results in job order.
pub fn run_all(
    cmd: &ChildCommand,
    jobs: &[Job],
    timeout: Duration,
    workers: usize,
) -> std::io::Result<Vec<ChildRun>> {
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<Option<std::io::Result<ChildRun>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            scope.spawn(|| loop {
                let i = {
                    let mut next = next.lock().unwrap_or_else(|e| e.into_inner());
                    let i = *next;
                    *next += 1;
                    i
                };
                let Some(job) = jobs.get(i) else { break };
                let run = run_child(cmd, job, timeout);
                results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(run);
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn signals_have_names() {
        assert_eq!(signal_name(libc::SIGSEGV), "SIGSEGV (segmentation fault)");
        assert_eq!(signal_name(libc::SIGABRT), "SIGABRT (abort)");
        assert_eq!(signal_name(1000), "signal 1000");
    }

    #[test]
    #[cfg(unix)]
    fn a_hanging_child_is_cut_and_a_crash_is_seen() {
        let sh = |script: &str| ChildCommand {
            env: Vec::new(),
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
        };
        let job = Job {
            task: crate::protocol::Task::Load {
                candidates: vec![],
                symbols: vec![],
            },
        };
        let run = run_child(&sh("sleep 30"), &job, Duration::from_millis(200)).unwrap();
        assert_eq!(run.end, End::TimedOut);
        let run = run_child(&sh("kill -SEGV $$"), &job, Duration::from_secs(10)).unwrap();
        assert_eq!(run.end, End::Signaled(libc::SIGSEGV));
        let line = Event::Step("x".into()).to_line();
        let script = format!("cat >/dev/null; printf '%s' 'noise\n{line}'; exit 3");
        let run = run_child(&sh(&script), &job, Duration::from_secs(10)).unwrap();
        assert_eq!(run.end, End::Exited(3));
        assert_eq!(run.events, [Event::Step("x".into())]);
    }
}
