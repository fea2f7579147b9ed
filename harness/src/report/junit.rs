//! JUnit XML: one `<testsuite>` per protocol, one `<testcase>` per scenario; `fail` is
//! `<failure>`, `error` is `<error>`, `unsupported` is `<skipped>`. The failure text is the human
//! detail of the scenario, so CI pages show the same evidence as the terminal.

use quick_xml::Writer;
use quick_xml::events::{BytesCData, BytesDecl, BytesEnd, BytesStart, Event};

use super::model::{RunReport, ScenarioResult, Summary, Verdict};

/// Renders the report as JUnit XML.
pub fn render(report: &RunReport) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let _ = write(&mut writer, report);
    String::from_utf8(writer.into_inner()).unwrap_or_default()
}

fn write(writer: &mut Writer<Vec<u8>>, report: &RunReport) -> quick_xml::Result<()> {
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let mut root = BytesStart::new("testsuites");
    root.push_attribute(("name", "wsconform"));
    counts(&mut root, &report.summary);
    root.push_attribute(("time", seconds(report.duration_ms).as_str()));
    writer.write_event(Event::Start(root))?;
    let mut protocols: Vec<&str> = report
        .scenarios
        .iter()
        .map(|s| s.protocol.as_str())
        .collect();
    protocols.dedup();
    for protocol in protocols {
        let results: Vec<ScenarioResult> = report
            .scenarios
            .iter()
            .filter(|s| s.protocol == protocol)
            .cloned()
            .collect();
        let mut suite = BytesStart::new("testsuite");
        suite.push_attribute(("name", protocol));
        counts(&mut suite, &Summary::of(&results));
        writer.write_event(Event::Start(suite))?;
        for result in &results {
            testcase(writer, result)?;
        }
        writer.write_event(Event::End(BytesEnd::new("testsuite")))?;
    }
    writer.write_event(Event::End(BytesEnd::new("testsuites")))?;
    Ok(())
}

fn counts(element: &mut BytesStart<'_>, summary: &Summary) {
    element.push_attribute(("tests", summary.total.to_string().as_str()));
    element.push_attribute(("failures", summary.failed.to_string().as_str()));
    element.push_attribute(("errors", summary.errors.to_string().as_str()));
    element.push_attribute(("skipped", summary.unsupported.to_string().as_str()));
}

fn testcase(writer: &mut Writer<Vec<u8>>, result: &ScenarioResult) -> quick_xml::Result<()> {
    let mut case = BytesStart::new("testcase");
    case.push_attribute(("name", result.id.as_str()));
    case.push_attribute((
        "classname",
        format!("{}.{}", result.protocol, result.level).as_str(),
    ));
    case.push_attribute(("file", result.file.as_str()));
    case.push_attribute(("time", seconds(result.duration_ms).as_str()));
    let tag = match result.verdict {
        Verdict::Pass => {
            writer.write_event(Event::Empty(case))?;
            return Ok(());
        }
        Verdict::Fail => "failure",
        Verdict::Error => "error",
        Verdict::Unsupported => "skipped",
    };
    writer.write_event(Event::Start(case))?;
    let mut element = BytesStart::new(tag);
    let message = result.failure.as_ref().map_or_else(
        || {
            result
                .findings
                .first()
                .map_or_else(String::new, |f| f.message.clone())
        },
        |f| f.message.clone(),
    );
    element.push_attribute(("message", message.as_str()));
    writer.write_event(Event::Start(element))?;
    let detail = super::human::details(&single(result), false);
    writer.write_event(Event::CData(BytesCData::new(detail.replace("]]>", "]] >"))))?;
    writer.write_event(Event::End(BytesEnd::new(tag)))?;
    writer.write_event(Event::End(BytesEnd::new("testcase")))?;
    Ok(())
}

fn single(result: &ScenarioResult) -> RunReport {
    RunReport {
        tool: String::new(),
        targets: Vec::new(),
        summary: Summary::of(std::slice::from_ref(result)),
        scenarios: vec![result.clone()],
        duration_ms: result.duration_ms,
        coverage: None,
    }
}

fn seconds(ms: u64) -> String {
    format!("{:.3}", ms as f64 / 1000.0)
}
