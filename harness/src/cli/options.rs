//! Command-line values shared by `run`, `load` and `fuzz`: targets, run variables, report
//! outputs, and the exit code of a run's results.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::{Context, bail};
use harness::report::model::{RunReport, ScenarioResult, Verdict};
use harness::report::{self, ReportKind};
use harness::runner::Target;

use super::Exit;

/// `--target <protocol>=<url>` values, each with the `--capability` values.
pub fn parse_targets(
    targets: &[String],
    capabilities: &[String],
) -> anyhow::Result<HashMap<String, Target>> {
    let capabilities: BTreeSet<String> = capabilities.iter().cloned().collect();
    let mut parsed = HashMap::new();
    for target in targets {
        let Some((protocol, url)) = target.split_once('=') else {
            bail!("--target {target:?} is not <protocol>=<url>");
        };
        harness::transport::address::http_base(url)
            .with_context(|| format!("--target {target:?}: invalid URL"))?;
        parsed.insert(
            protocol.to_owned(),
            Target {
                url: url.to_owned(),
                capabilities: capabilities.clone(),
            },
        );
    }
    Ok(parsed)
}

/// `--report <kind>=<path>` values.
pub fn parse_reports(reports: &[String]) -> anyhow::Result<Vec<(ReportKind, String)>> {
    reports
        .iter()
        .map(|report| {
            let Some((kind, path)) = report.split_once('=') else {
                bail!(
                    "--report {report:?} is not <kind>=<path> (kinds: human, json, junit, markdown, html)"
                );
            };
            let kind: ReportKind = kind.parse().map_err(anyhow::Error::msg)?;
            Ok((kind, path.to_owned()))
        })
        .collect()
}

/// Writes `text` to `path` (`-`: stdout), making its folder.
pub fn write_text(path: &str, text: &str) -> anyhow::Result<()> {
    if path == "-" {
        println!("{text}");
        return Ok(());
    }
    if let Some(parent) = std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("writing the report {path}"))
}

/// Writes a run report.
pub fn write_report(kind: ReportKind, path: &str, report: &RunReport) -> anyhow::Result<()> {
    write_text(path, &report::render(kind, report))
}

/// `--var name=value` pairs.
pub fn parse_vars(vars: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    vars.iter()
        .map(|var| match var.split_once('=') {
            Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
            _ => anyhow::bail!("--var {var:?}: expected <name>=<value>, e.g. token_a=secret"),
        })
        .collect()
}

/// `--time-scale` must be a positive number.
pub fn check_time_scale(scale: f64) -> anyhow::Result<()> {
    if !(scale.is_finite() && scale > 0.0) {
        bail!("--time-scale must be a positive number");
    }
    Ok(())
}

/// 4 when a required scenario failed, 3 when the target could not be reached, 2 when a scenario
/// itself is wrong, else 0.
pub fn exit_code(results: &[ScenarioResult], strict: bool) -> Exit {
    let breaks = |r: &&ScenarioResult| r.verdict == Verdict::Fail && (r.level == "MUST" || strict);
    if results.iter().any(|r| breaks(&r)) {
        return Exit::Failures;
    }
    let errors: Vec<&ScenarioResult> = results
        .iter()
        .filter(|r| r.verdict == Verdict::Error)
        .collect();
    if errors
        .iter()
        .any(|r| r.failure.as_ref().is_some_and(|f| f.unreachable))
    {
        return Exit::Unreachable;
    }
    if !errors.is_empty() {
        return Exit::ScenarioFiles;
    }
    Exit::Conformant
}
