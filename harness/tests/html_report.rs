//! The HTML report as a browser shows it: `wsconform run` against the reference server (jobber)
//! and a broken target (ark behind a proxy that puts markup in every `job:created`'s
//! `jobType`) writes `--report html=…`; headless Chromium loads the page, its script runs, and
//! the DOM it leaves is checked against the JSON report of the same run: counts, the root cause,
//! the failing path, the escaped markup, the coverage figures, the filters (from the URL hash).
//! A screenshot is kept in `target/html-report/`.

use crate::support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use support::browser::{chromium, dump_dom, file_url, screenshot};
use support::cli::{run_within, wsconform};

/// How long the run of the binary may take.
const RUN_WITHIN: Duration = Duration::from_secs(180);

/// What the broken target puts in `jobType`: it must show as text, never run.
const MARKUP: &str = "<script>document.title='pwned'</script>";

/// The smallest screenshot taken as a rendered page (a blank 1280×2000 PNG is a few KB).
const MIN_SCREENSHOT_BYTES: u64 = 30_000;

/// `target/html-report/`, made if needed.
fn kept_dir() -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    let dir = target.join("html-report");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The opening tags of the scenario sections in a serialised DOM.
fn section_tags(dom: &str) -> Vec<&str> {
    dom.match_indices("<section class=\"scenario\"")
        .map(|(at, _)| {
            let end = dom[at..].find('>').unwrap();
            &dom[at..at + end]
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_report_shows_a_run_in_headless_chromium() {
    chromium();
    let ark = support::embedded("ark").await;
    let jobber = support::embedded("jobber").await;
    let fault = support::faulty_proxy::rewrite_event("job:created", |v| {
        v["data"]["jobType"] = MARKUP.into()
    });
    let proxy = support::faulty_proxy::start(&ark.target("ark").unwrap().url, fault).await;
    let kept = kept_dir();
    let page = kept.join("report.html");
    let json = kept.join("report.json");
    let mut command = wsconform();
    command
        .args([
            "run",
            "--scenario",
            "ark.job.c*",
            "--scenario",
            "jobber.connect.*",
        ])
        .args(["--target", &format!("ark={}", proxy.url)])
        .args([
            "--target",
            &format!("jobber={}", jobber.target("jobber").unwrap().url),
        ])
        .args(["--report", &format!("html={}", page.display())])
        .args(["--report", &format!("json={}", json.display())]);
    let run = tokio::task::spawn_blocking(move || run_within(command, RUN_WITHIN))
        .await
        .unwrap();
    assert_eq!(run.code(), Some(4), "{}", run.shown());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let summary = &report["summary"];
    let (total, passed, failed) = (
        summary["total"].as_u64().unwrap(),
        summary["passed"].as_u64().unwrap(),
        summary["failed"].as_u64().unwrap(),
    );
    assert!(
        passed > 0 && failed > 0,
        "both passes and failures: {summary}"
    );
    assert_eq!(summary["unsupported"], 1, "jobber.connect.refusal_data");

    let url = file_url(&page);
    let dom = tokio::task::spawn_blocking(move || dump_dom(&url))
        .await
        .unwrap();
    assert!(
        dom.contains(&format!(
            "<title>wsconform: {passed} of {total} passed</title>"
        )),
        "the counts, and a title no markup from the target changed: {dom}"
    );
    assert!(dom.contains(&format!("<b>{failed}</b> failed")));
    assert!(dom.contains(&format!("<b>{passed}</b> passed")));
    assert!(
        dom.contains("data-filters=\"ready\"") && dom.contains("<form id=\"filters\">"),
        "the filter script ran"
    );
    assert!(dom.contains(&format!("showing {total} of {total} scenarios")));
    assert_eq!(section_tags(&dom).len() as u64, total);

    let causes = dom.find("id=\"causes\"").expect("the root causes");
    let scenarios = dom.find("id=\"scenarios\"").expect("the scenarios");
    assert!(causes < scenarios, "root causes first");
    let coverage = dom.find("id=\"coverage\"").expect("the coverage section");
    assert!(
        causes < coverage && coverage < scenarios,
        "coverage after the root causes"
    );
    let causes = &dom[causes..scenarios];
    assert!(
        causes.contains("<code>$.data.jobType</code>")
            && causes.contains("href=\"#s-ark.job.created\""),
        "the root cause at its path, linked to its scenarios: {causes}"
    );
    for protocol in report["coverage"]
        .as_array()
        .expect("the run measured coverage")
    {
        let shown = format!(
            "<code>{}</code> <span class=\"bar\">",
            protocol["protocol"].as_str().unwrap()
        );
        let figure = format!(
            "{:.1} % of the document exercised ({} of {} items)",
            protocol["percent"].as_f64().unwrap(),
            protocol["exercised"],
            protocol["reachable"]
        );
        assert!(
            dom.contains(&shown) && dom.contains(&figure),
            "{shown} … {figure} in the page"
        );
    }
    let created = dom.find("id=\"s-ark.job.created\"").expect("its section");
    let created = &dom[created..];
    let created = &created[..created.find("</section>").unwrap()];
    assert!(
        created.contains("<code class=\"path\">$.data.jobType</code>"),
        "{created}"
    );
    assert!(
        created.contains("job-created.yaml:"),
        "the failing step's file:line"
    );
    assert!(
        created.contains(&format!(
            "re-run: <code>wsconform run --scenario ark.job.created --target ark={}",
            proxy.url
        )),
        "the command that re-runs it against the same target: {created}"
    );
    assert!(
        created.contains("&lt;script&gt;document.title="),
        "the target's markup is shown as text: {created}"
    );
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "only the page's own script"
    );

    let filtered = format!("{}#verdict=fail&protocol=ark", file_url(&page));
    let dom = tokio::task::spawn_blocking(move || dump_dom(&filtered))
        .await
        .unwrap();
    let tags = section_tags(&dom);
    let shown: Vec<&&str> = tags.iter().filter(|t| !t.contains("hidden")).collect();
    assert_eq!(shown.len() as u64, failed, "only the failures: {shown:#?}");
    assert!(
        shown.iter().all(|t| {
            t.contains("data-verdict=\"fail\"") && t.contains("data-protocol=\"ark\"")
        })
    );
    assert!(dom.contains(&format!("showing {failed} of {total} scenarios")));

    let png = kept.join("report.png");
    let (url, shot) = (file_url(&page), png.clone());
    tokio::task::spawn_blocking(move || screenshot(&url, &shot, 1280, 2000))
        .await
        .unwrap();
    let bytes = std::fs::metadata(&png).unwrap().len();
    assert!(
        bytes > MIN_SCREENSHOT_BYTES,
        "{} is {bytes} bytes",
        png.display()
    );
    drop(proxy);
    ark.stop().await;
    jobber.stop().await;
}
