//! Live progress of a load run: an indicatif bar on a terminal (phase, users, current rates,
//! p50/p99, failures), or a plain line every few seconds when stderr is not a terminal (CI logs).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use harness::load::Tick;
use harness::load::metrics::Metrics;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often a plain progress line is printed when stderr is not a terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(5);
/// The window current rates are measured over.
const RATE_WINDOW: Duration = Duration::from_secs(1);

/// The progress display.
pub struct Progress {
    bar: Option<ProgressBar>,
    plain: bool,
    phases: Vec<String>,
    /// (phase, when, completed runs, messages received) at the start of the rate window.
    window: (usize, Instant, u64, u64),
    rates: (f64, f64),
    last_plain: Instant,
}

impl Progress {
    /// A display for a run of `total` through `phases`; nothing at all when `quiet`.
    pub fn new(total: Duration, phases: Vec<String>, quiet: bool) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let bar = (!quiet && terminal).then(|| {
            let bar = ProgressBar::with_draw_target(
                Some(u64::try_from(total.as_millis()).unwrap_or(u64::MAX)),
                ProgressDrawTarget::stderr_with_hz(4),
            );
            let style = ProgressStyle::with_template("{elapsed:>4} [{bar:24}] {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        let now = Instant::now();
        Progress {
            bar,
            plain: !quiet && !terminal,
            phases,
            window: (0, now, 0, 0),
            rates: (0.0, 0.0),
            last_plain: now,
        }
    }

    /// Shows one tick.
    pub fn update(&mut self, tick: &Tick, metrics: &Metrics) {
        let progress = metrics.progress(tick.phase);
        let now = Instant::now();
        let (phase, since, completed, received) = self.window;
        if phase != tick.phase {
            self.window = (tick.phase, now, progress.completed, progress.received);
        } else if now.duration_since(since) >= RATE_WINDOW {
            let seconds = now.duration_since(since).as_secs_f64();
            self.rates = (
                progress.completed.saturating_sub(completed) as f64 / seconds,
                progress.received.saturating_sub(received) as f64 / seconds,
            );
            self.window = (tick.phase, now, progress.completed, progress.received);
        }
        let ms = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}ms"));
        let message = format!(
            "{} | {} active | {:.0} scenarios/s | {:.0} messages/s | p50 {} p99 {} | {} failures",
            self.phases.get(tick.phase).map_or("", String::as_str),
            tick.active,
            self.rates.0,
            self.rates.1,
            ms(progress.p50_ms),
            ms(progress.p99_ms),
            progress.failures
        );
        if let Some(bar) = &self.bar {
            bar.set_position(u64::try_from(tick.elapsed.as_millis()).unwrap_or(u64::MAX));
            bar.set_message(message);
        } else if self.plain && now.duration_since(self.last_plain) >= PLAIN_EVERY {
            self.last_plain = now;
            eprintln!(
                "[{:>6.1}s/{:.1}s] {message}",
                tick.elapsed.as_secs_f64(),
                tick.total.as_secs_f64()
            );
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
