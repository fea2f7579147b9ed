//! The echo baseline runs, counts, and reports figures that agree with each other. No timing
//! assertions: this machine is shared, so only consistency is checked.

use std::time::Duration;

use benches::echo::{EchoError, EchoOptions, echo_baseline};

fn short_run() -> EchoOptions {
    EchoOptions {
        connections: 4,
        duration: Duration::from_millis(300),
        warm_up: Duration::from_millis(50),
        ..EchoOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_run_counts_round_trips_and_consistent_figures() {
    let options = short_run();
    let figures = echo_baseline(options.clone())
        .await
        .expect("the run starts");

    assert!(
        figures.failures.is_empty(),
        "failures: {:?}",
        figures.failures
    );
    assert_eq!(figures.connections, 4);
    assert!(figures.round_trips > 0, "no round trip counted");
    assert_eq!(figures.elapsed, options.duration);
    let expected_rate = figures.round_trips as f64 / figures.elapsed.as_secs_f64();
    assert!((figures.round_trips_per_second - expected_rate).abs() < 1e-6);
    assert!(figures.latency_p50 <= figures.latency_p99);
    assert!(figures.latency_p99 <= figures.latency_max);
    assert!(
        figures.latency_max > Duration::ZERO,
        "a round trip takes some time"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn runs_inside_a_current_thread_runtime_too() {
    let figures = echo_baseline(short_run()).await.expect("the run starts");
    assert!(
        figures.failures.is_empty(),
        "failures: {:?}",
        figures.failures
    );
    assert!(figures.round_trips > 0);
}

#[tokio::test]
async fn zero_connections_is_refused() {
    let options = EchoOptions {
        connections: 0,
        ..short_run()
    };
    let refused = echo_baseline(options).await;
    assert!(
        matches!(refused, Err(EchoError::InvalidOptions(_))),
        "{refused:?}"
    );
}
