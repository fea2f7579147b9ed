//! The resident memory of a process (`VmRSS` in `/proc/<pid>/status`, Linux only) and waiting
//! until it stops moving.

use anyhow::{Context, bail};
use std::time::Duration;
use tokio::time::Instant;

/// How the value is judged stable.
#[derive(Debug, Clone, Copy)]
pub struct Settle {
    /// Time between two samples.
    pub every: Duration,
    /// Consecutive samples that must agree.
    pub samples: usize,
    /// How far they may differ, as a fraction of the largest (0.01 = 1 %).
    pub tolerance: f64,
    /// Give up after this long and report the last sample as not stable.
    pub timeout: Duration,
}

/// A settled reading.
#[derive(Debug, Clone, Copy)]
pub struct Reading {
    /// The last sample, in bytes.
    pub bytes: u64,
    /// Whether the last samples agreed before the timeout.
    pub stable: bool,
}

/// `VmRSS` of `pid`, in bytes.
pub fn vm_rss(pid: u32) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    let Some(line) = status.lines().find(|l| l.starts_with("VmRSS:")) else {
        bail!("{path} has no VmRSS line");
    };
    let kib: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .with_context(|| format!("{path}: {line:?}"))?;
    Ok(kib * 1024)
}

/// Samples `pid` until `settle.samples` consecutive samples agree, or `settle.timeout`.
pub async fn settle(pid: u32, settle: Settle) -> anyhow::Result<Reading> {
    let deadline = Instant::now() + settle.timeout;
    let mut window: Vec<u64> = Vec::with_capacity(settle.samples);
    loop {
        let bytes = vm_rss(pid)?;
        if window.len() == settle.samples {
            window.remove(0);
        }
        window.push(bytes);
        if window.len() == settle.samples && agree(&window, settle.tolerance) {
            return Ok(Reading {
                bytes,
                stable: true,
            });
        }
        if Instant::now() + settle.every > deadline {
            return Ok(Reading {
                bytes,
                stable: false,
            });
        }
        tokio::time::sleep(settle.every).await;
    }
}

fn agree(samples: &[u64], tolerance: f64) -> bool {
    let (Some(min), Some(max)) = (samples.iter().min(), samples.iter().max()) else {
        return false;
    };
    (max - min) as f64 <= *max as f64 * tolerance
}
