//! What the harness process itself uses — CPU time and resident memory — read from `/proc`
//! (Linux). Elsewhere the figures are zero. Reported beside a load run so that "CPU per message"
//! and "memory per user" can be computed from the report.

/// CPU seconds (user, system) the process has used so far.
pub fn cpu_seconds() -> (f64, f64) {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return (0.0, 0.0);
    };
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are
    // space-separated: state is field 3, utime field 14, stime field 15.
    let Some(after) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
        return (0.0, 0.0);
    };
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |index: usize| fields.get(index).and_then(|f| f.parse::<f64>().ok());
    // Linux reports CPU time in clock ticks of USER_HZ, 100 per second on every platform it
    // supports today.
    const USER_HZ: f64 = 100.0;
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => (user / USER_HZ, system / USER_HZ),
        _ => (0.0, 0.0),
    }
}

/// Resident memory now and at its peak, KiB.
pub fn memory_kib() -> (u64, u64) {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return (0, 0);
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_is_resident_and_cpu_time_grows_with_work() {
        if !std::path::Path::new("/proc/self/status").exists() {
            return;
        }
        let (rss, peak) = memory_kib();
        assert!(rss > 0 && peak >= rss, "{rss} {peak}");
        let total = || {
            let (user, system) = cpu_seconds();
            user + system
        };
        let before = total();
        let started = std::time::Instant::now();
        let mut spin = 0u64;
        // Work until the kernel has counted at least one more tick (bounded).
        while total() <= before && started.elapsed() < std::time::Duration::from_secs(10) {
            spin = (0..100_000u64).fold(spin, |a, b| std::hint::black_box(a ^ b));
        }
        assert!(
            total() > before,
            "no CPU time counted after {:?} ({spin})",
            started.elapsed()
        );
    }
}
