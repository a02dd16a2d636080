//! `frontline geoparse` through the real binary: the JSONL contract (ids, order,
//! spans mode, nulls, error lines and exit code), plain-text input and --explain.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .arg("geoparse")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start frontline");
    let mut si = child.stdin.take().expect("stdin");
    let input = stdin.to_string();
    let writer = std::thread::spawn(move || {
        let _ = si.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().expect("run frontline");
    let _ = writer.join();
    out
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

#[test]
fn jsonl_contract_order_ids_and_fields() {
    let mut input = String::new();
    for i in 0..40 {
        if i % 2 == 0 {
            input.push_str(&format!("{{\"id\": {i}, \"text\": \"Drones hit Kharkiv and Odesa overnight, doc {i}.\", \"published\": \"2025-01-07\"}}\n"));
        } else {
            input.push_str(&format!(
                "{{\"id\": \"doc-{i}\", \"text\": \"Київ and Kyiv.\"}}\n"
            ));
        }
    }
    let out = run(
        &["--format", "jsonl", "--threads", "2", "--batch", "7"],
        &input,
    );
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ls = lines(&out);
    assert_eq!(ls.len(), 40);
    for (i, l) in ls.iter().enumerate() {
        if i % 2 == 0 {
            assert_eq!(
                l["id"],
                Value::from(i as u64),
                "ids keep their JSON type and order"
            );
            let ms = l["mentions"].as_array().expect("mentions");
            let texts: Vec<&str> = ms
                .iter()
                .map(|m| m["text"].as_str().unwrap_or(""))
                .collect();
            assert_eq!(texts, vec!["Kharkiv", "Odesa"]);
            let m = &ms[0];
            for k in [
                "start",
                "end",
                "text",
                "geonameid",
                "name",
                "lat",
                "lon",
                "feature_class",
                "feature_code",
                "country_code",
                "admin1",
                "precision",
                "approximate",
                "score",
            ] {
                assert!(m.get(k).is_some(), "field {k} missing in {m}");
            }
            assert_eq!(m["start"], 11);
            assert_eq!(m["end"], 18);
            assert_eq!(m["geonameid"], 706483);
            assert_eq!(m["admin1"], "UA.07");
            assert_eq!(m["precision"], "settlement");
        } else {
            assert_eq!(l["id"], Value::from(format!("doc-{i}")));
            let ms = l["mentions"].as_array().expect("mentions");
            // Offsets are code points: "Kyiv" starts at 9 although "Київ" is 8 bytes.
            let kyiv = ms.iter().find(|m| m["text"] == "Kyiv").expect("Kyiv found");
            assert_eq!(
                (kyiv["start"].as_u64(), kyiv["end"].as_u64()),
                (Some(9), Some(13))
            );
        }
    }
}

#[test]
fn spans_mode_and_nulls() {
    let input =
        "{\"id\": \"s1\", \"text\": \"From Lviv to Qwxzville.\", \"spans\": [[13, 22], [5, 9]]}\n";
    let out = run(&["--format", "jsonl"], input);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ls = lines(&out);
    let ms = ls[0]["mentions"].as_array().expect("mentions");
    assert_eq!(ms.len(), 2);
    assert_eq!(ms[0]["text"], "Qwxzville");
    assert_eq!(ms[0]["geonameid"], Value::Null);
    assert_eq!(ms[0]["lat"], Value::Null);
    assert_eq!(ms[0]["lon"], Value::Null);
    assert_eq!(ms[1]["text"], "Lviv");
    assert_eq!(ms[1]["admin1"], "UA.15");
}

#[test]
fn bad_lines_get_error_lines_and_a_failing_exit_code() {
    let input = concat!(
        "{\"id\": 1, \"text\": \"In Kyiv.\"}\n",
        "not json\n",
        "{\"id\": \"x\", \"text\": 5}\n",
        "{\"text\": \"no id\"}\n",
        "{\"id\": 2, \"text\": \"abc\", \"spans\": [[0, 9]]}\n",
        "{\"id\": 3, \"text\": \"abc\", \"published\": \"yesterday\"}\n",
        "\n",
        "{\"id\": 4, \"text\": \"In Lviv.\"}\n",
    );
    let out = run(&["--format", "jsonl"], input);
    assert!(
        !out.status.success(),
        "exit code must be non-zero when a line failed"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("5 of 7 input lines failed") || err.contains("failed"),
        "stderr: {err}"
    );
    let ls = lines(&out);
    assert_eq!(ls.len(), 7, "one output line per non-blank input line");
    assert_eq!(ls[0]["id"], 1);
    assert!(ls[0]["mentions"].is_array());
    assert_eq!(ls[1]["line"], 2);
    assert!(
        ls[1]["error"]
            .as_str()
            .unwrap_or("")
            .contains("invalid JSON")
    );
    assert_eq!(ls[2]["id"], "x");
    assert!(ls[2]["error"].as_str().unwrap_or("").contains("text"));
    assert_eq!(ls[3]["line"], 4);
    assert!(ls[3]["error"].as_str().unwrap_or("").contains("id"));
    assert_eq!(ls[4]["id"], 2);
    assert!(ls[4]["error"].as_str().unwrap_or("").contains("spans[0]"));
    assert_eq!(ls[5]["id"], 3);
    assert!(ls[5]["error"].as_str().unwrap_or("").contains("published"));
    assert_eq!(ls[6]["id"], 4, "processing continues after bad lines");
    assert_eq!(ls[6]["mentions"][0]["text"], "Lviv");
}

#[test]
fn plain_text_input_and_text_table() {
    let out = run(
        &[],
        "The convoy left Zaporizhzhia for Dnipro.\nIt reached Pavlohrad at night.\n",
    );
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("3 mention(s)"), "{s}");
    for w in ["Zaporizhzhia", "Dnipro", "Pavlohrad", "UA.04"] {
        assert!(s.contains(w), "{w} missing from {s}");
    }
    let out = run(&["--format", "jsonl"], "Talks in Geneva.");
    let ls = lines(&out);
    assert_eq!(ls[0]["id"], "-");
    assert_eq!(ls[0]["mentions"][0]["country_code"], "CH");
}

#[test]
fn explain_and_focus_options() {
    let out = run(
        &["--format", "jsonl", "--explain"],
        "{\"id\": 1, \"text\": \"Fighting near Pokrovsk.\"}\n",
    );
    assert!(out.status.success());
    let ls = lines(&out);
    let ex = ls[0]["explain"].as_array().expect("explain array");
    let p = ex
        .iter()
        .find(|e| e["text"] == "Pokrovsk")
        .expect("Pokrovsk explained");
    assert!(p["candidates"].as_array().is_some_and(|c| c.len() >= 2));
    let out = run(&["--explain"], "Fighting near Pokrovsk.");
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains("area of interest") && s.contains("## explain"),
        "{s}"
    );
    let out = run(&["--focus", "Ukraine"], "x");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--focus"));
    let out = run(&["/nonexistent/input.txt"], "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/input.txt"));
}

#[test]
fn timings_report_startup_and_processing_on_stderr() {
    let input = "{\"id\": 1, \"text\": \"Shelling near Kupiansk.\"}\n{\"id\": 2, \"text\": \"Drones over Sumy.\"}\n";
    let out = run(&["--format", "jsonl", "--timings"], input);
    assert!(out.status.success());
    assert_eq!(lines(&out).len(), 2, "timings must not touch stdout");
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with("frontline geoparse timings: "))
        .unwrap_or_else(|| panic!("no timings line in {err:?}"));
    let field = |k: &str| -> String {
        line.split_whitespace()
            .find_map(|f| f.strip_prefix(&format!("{k}=")))
            .unwrap_or_else(|| panic!("no {k}= in {line:?}"))
            .to_string()
    };
    assert_eq!(field("documents"), "2");
    for k in ["startup_wall", "wall"] {
        let v: f64 = field(k).parse().expect("seconds");
        assert!(v >= 0.0, "{k}={v}");
    }
    // Start-up loads the whole gazetteer: it takes measurable CPU on Linux.
    if cfg!(target_os = "linux") {
        let s: f64 = field("startup_cpu").parse().expect("seconds");
        assert!(s > 0.0, "startup_cpu={s}");
        let c: f64 = field("cpu").parse().expect("seconds");
        assert!(c >= 0.0, "cpu={c}");
    }
}
