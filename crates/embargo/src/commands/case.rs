//! `embargo case list|show|act`: the team's work from a terminal, over the JSON API of an
//! installation (this one by default), authenticated by an API token.

use serde_json::{Value, json};

use super::load_config;
use crate::cli::{CaseArgs, CaseCommand, Cli};
use crate::failure::Failure;
use crate::output::Output;

/// Where and as whom: `--url` (default: this installation's public URL) and the token
/// from `--token-file`, EMBARGO_TOKEN, or (discouraged) `--token`.
fn endpoint(cli: &Cli, args: &CaseArgs) -> Result<(String, String), Failure> {
    let url = match &args.url {
        Some(u) => u.trim_end_matches('/').to_string(),
        None => load_config(cli)?.public_url,
    };
    let token = match (&args.token_file, &args.token) {
        (Some(file), _) => std::fs::read_to_string(file)
            .map(|t| t.trim().to_string())
            .map_err(|e| {
                Failure::Refused(format!(
                    "cannot read the token file {}: {e}",
                    file.display()
                ))
            })?,
        (None, Some(token)) => token.clone(),
        (None, None) => {
            return Err(Failure::Refused(
                "an API token is needed: --token-file FILE or EMBARGO_TOKEN (see `embargo user token`)"
                    .into(),
            ));
        }
    };
    if token.is_empty() {
        return Err(Failure::Refused("the API token is empty".into()));
    }
    Ok((url, token))
}

fn call(method: &str, url: &str, token: &str, body: Option<&Value>) -> Result<Value, Failure> {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .new_agent();
    let auth = format!("Bearer {token}");
    let response = match (method, body) {
        ("POST", Some(b)) => agent
            .post(url)
            .header("Authorization", &auth)
            .header("Content-Type", "application/json")
            .send(b.to_string()),
        ("PUT", Some(b)) => agent
            .put(url)
            .header("Authorization", &auth)
            .header("Content-Type", "application/json")
            .send(b.to_string()),
        _ => agent.get(url).header("Authorization", &auth).call(),
    };
    let mut response = response.map_err(|e| Failure::Setup(format!("cannot reach {url}: {e}")))?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|e| Failure::Setup(format!("bad answer from {url}: {e}")))?;
    let value: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    if status >= 400 {
        let message = value["error"]["message"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("HTTP {status}"));
        return Err(match status {
            401 => Failure::Setup(format!("the token was refused: {message}")),
            500..=599 => Failure::Internal(message),
            _ => Failure::Refused(message),
        });
    }
    Ok(value)
}

/// An applied action as people read it: what happened, and what may follow.
fn describe_outcome(o: &Value) -> String {
    let mut lines = vec![
        format!(
            "{}: {}",
            o["action"].as_str().unwrap_or(""),
            o["outcome"].as_str().unwrap_or("")
        ),
        format!(
            "state: {}",
            o["state"].as_str().unwrap_or("not visible to you")
        ),
    ];
    if let Some(v) = o["version"].as_u64() {
        lines.push(format!("version: {v}"));
    }
    if let Some(next) = o["available_actions"].as_array() {
        let names: Vec<&str> = next.iter().filter_map(Value::as_str).collect();
        lines.push(format!("next: {}", names.join(", ")));
    }
    lines.join("\n")
}

fn describe_case(c: &Value) -> String {
    let mut lines = vec![
        format!(
            "{} {}",
            c["reference"].as_str().unwrap_or(""),
            c["report"]["title"].as_str().unwrap_or("")
        ),
        format!(
            "state: {}  project: {}  version: {}",
            c["state_text"].as_str().unwrap_or(""),
            c["project"].as_str().unwrap_or(""),
            c["version"]
        ),
        format!(
            "acknowledge by: {}  disclose by: {}",
            c["acknowledge_by"].as_str().unwrap_or(""),
            c["disclose_by"].as_str().unwrap_or("")
        ),
    ];
    if let Some(d) = c["dates"].as_object() {
        lines.push(format!(
            "announce at: {} {}",
            d["announce_at"].as_str().unwrap_or(""),
            d["zone"].as_str().unwrap_or("")
        ));
    }
    let done: Vec<String> = c["checklist"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["done"] == true)
        .map(|s| s["step"].to_string())
        .collect();
    lines.push(format!("checklist done: {}", done.join(", ")));
    let actions: Vec<&str> = c["available_actions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    lines.push(format!("you can: {}", actions.join(", ")));
    lines.join("\n")
}

pub fn run(cli: &Cli, args: &CaseArgs) -> Result<Output, Failure> {
    let (url, token) = endpoint(cli, args)?;
    match &args.command {
        CaseCommand::List => {
            // Every page, the most urgent first.
            let mut cases: Vec<Value> = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let cursor = after
                    .as_deref()
                    .map_or(String::new(), |a| format!("&after={a}"));
                let page = call(
                    "GET",
                    &format!("{url}/api/v1/cases?limit=200{cursor}"),
                    &token,
                    None,
                )?;
                cases.extend(page["cases"].as_array().into_iter().flatten().cloned());
                match page["next_cursor"].as_str() {
                    Some(next) => after = Some(next.to_string()),
                    None => break,
                }
            }
            let text = cases
                .iter()
                .map(|r| {
                    format!(
                        "{}  {:<29} {:<17} {}{}",
                        r["reference"].as_str().unwrap_or(""),
                        r["queue_title"].as_str().unwrap_or(""),
                        r["state"].as_str().unwrap_or(""),
                        r["title"].as_str().unwrap_or(""),
                        if r["overdue"] == true {
                            "  (OVERDUE)"
                        } else {
                            ""
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            Ok(Output::new(text, Value::Array(cases)))
        }
        CaseCommand::Show { id } => {
            let case = call("GET", &format!("{url}/api/v1/cases/{id}"), &token, None)?;
            Ok(Output::new(describe_case(&case), case))
        }
        CaseCommand::Act { id, action, fields } => {
            let mut body = json!({"action": action});
            for f in fields {
                let (k, v) = f
                    .split_once('=')
                    .ok_or_else(|| Failure::Refused(format!("{f:?} must be name=value")))?;
                body[k] = Value::String(v.to_string());
            }
            let outcome = call(
                "POST",
                &format!("{url}/api/v1/cases/{id}/actions"),
                &token,
                Some(&body),
            )?;
            Ok(Output::new(describe_outcome(&outcome), outcome))
        }
        CaseCommand::Advisory { id, set } => {
            let path = format!("{url}/api/v1/cases/{id}/advisory");
            let mut draft = call("GET", &path, &token, None)?;
            if let Some(file) = set {
                let text = if file.as_os_str() == "-" {
                    std::io::read_to_string(std::io::stdin())
                } else {
                    std::fs::read_to_string(file)
                }
                .map_err(|e| Failure::Setup(format!("cannot read {}: {e}", file.display())))?;
                let advisory: Value = serde_json::from_str(&text).map_err(|e| {
                    Failure::Refused(format!("{} is not JSON: {e}", file.display()))
                })?;
                let body = json!({"revision": draft["revision"], "advisory": advisory});
                draft = call("PUT", &path, &token, Some(&body))?;
            }
            Ok(Output::new(describe_draft(&draft), draft))
        }
        CaseCommand::Preview { id } => {
            let preview = call(
                "GET",
                &format!("{url}/api/v1/cases/{id}/advisory/preview"),
                &token,
                None,
            )?;
            let text = serde_json::to_string_pretty(&preview["publication"]).unwrap_or_default()
                + "\n"
                + &problems(&preview["problems"]);
            Ok(Output::new(text, preview))
        }
        CaseCommand::Approve { id } => {
            let path = format!("{url}/api/v1/cases/{id}/advisory");
            let draft = call("GET", &path, &token, None)?;
            let body = json!({"revision": draft["revision"]});
            let draft = call("POST", &format!("{path}/approve"), &token, Some(&body))?;
            Ok(Output::new(describe_draft(&draft), draft))
        }
    }
}

fn problems(list: &Value) -> String {
    let lines: Vec<String> = list
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            format!(
                "  {}: {}",
                p["field"].as_str().unwrap_or(""),
                p["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    if lines.is_empty() {
        "ready to publish".into()
    } else {
        format!("before it can be published:\n{}", lines.join("\n"))
    }
}

fn describe_draft(d: &Value) -> String {
    format!(
        "{}\nrevision {}{}\n{}",
        d["advisory"]["title"].as_str().unwrap_or("(no title)"),
        d["revision"],
        if d["approved"] == true {
            ", preview approved"
        } else {
            ", preview not approved"
        },
        problems(&d["problems"])
    )
}
