//! The texts the reporter receives, editable by administrators. Placeholders:
//! `{reference}` (e.g. #1a2b3c4d), `{organization}`; in the notices sent at publication
//! also `{advisory_url}`, `{cve}` and `{fixed_in}` (the fixed versions), and in the
//! deadline disclosure `{fix_status}`. Acceptance, publication, disclosure and release
//! notices go out by themselves; acknowledgement, questions and rejections are written by
//! a Coordinator, starting from these texts.

use std::collections::BTreeMap;

use embargo_core::ValueError;
use jiff::Timestamp;
use serde_json::json;

use crate::App;
use crate::error::AppError;
use crate::principal::Principal;

/// Template names, with the defaults an installation starts from.
pub const DEFAULT_TEMPLATES: [(&str, &str); 8] = [
    (
        "acknowledged",
        "Thank you for your report {reference}. We received it and will review it; you will hear from us as it progresses.",
    ),
    (
        "information_requested",
        "Thank you for your report {reference}. To assess it we need more information: ",
    ),
    (
        "rejected",
        "Thank you for your report {reference}. After review we will not treat it as a vulnerability in our projects, because ",
    ),
    (
        "duplicate",
        "Thank you for your report {reference}. The same issue had already been reported to us and is being handled, so we are closing your report as a duplicate. ",
    ),
    (
        "accepted",
        "Your report {reference} was accepted as a vulnerability. We are preparing a fix and will tell you the release and publication dates.",
    ),
    (
        "published",
        "The advisory for your report {reference} is now public: {advisory_url}\n\nCVE: {cve}\nFixed in: {fixed_in}\n\nThank you for reporting it to {organization} responsibly.",
    ),
    (
        "disclosed",
        "The vulnerability you reported ({reference}) has been disclosed today, as our policy's deadline requires.\n\n{fix_status}\n\nThe advisory: {advisory_url}\nCVE: {cve}",
    ),
    (
        "fix_released",
        "A fix for the vulnerability you reported ({reference}) has been released: {fixed_in}.\n\nThe advisory was updated: {advisory_url}",
    ),
];

/// What the notices sent at publication say about the public advisory.
pub(crate) fn publication_placeholders(
    publisher: &embargo_formats::Publisher,
    p: &embargo_core::Publication,
) -> Vec<(&'static str, String)> {
    let fixed: Vec<String> = p
        .advisory
        .affected
        .iter()
        .flat_map(|a| {
            a.ranges
                .iter()
                .filter_map(|r| r.fixed.as_ref().map(|v| format!("{} {v}", a.purl)))
        })
        .collect();
    let fixed_in = if fixed.is_empty() {
        "no fixed version yet".to_string()
    } else {
        fixed.join(", ")
    };
    let fix_status = if p.fix_available {
        format!("A fix is available: {fixed_in}.")
    } else {
        "No fix is available yet; we will tell you when one is released.".to_string()
    };
    vec![
        ("{advisory_url}", publisher.advisory_url(&p.id)),
        (
            "{cve}",
            p.advisory
                .cve
                .as_ref()
                .map_or_else(|| "none assigned".to_string(), ToString::to_string),
        ),
        ("{fixed_in}", fixed_in),
        ("{fix_status}", fix_status),
    ]
}

impl App {
    /// Every template, with administrators' changes.
    pub async fn templates(&self) -> Result<BTreeMap<String, String>, AppError> {
        let mut all: BTreeMap<String, String> = DEFAULT_TEMPLATES
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if let Some(serde_json::Value::Object(saved)) = self.store.setting("templates").await? {
            for (k, v) in saved {
                if let (true, Some(text)) = (all.contains_key(&k), v.as_str()) {
                    all.insert(k, text.to_string());
                }
            }
        }
        Ok(all)
    }

    /// One template, filled in for a case and with more placeholders (`{name}`, value).
    pub(crate) async fn template_with(
        &self,
        name: &str,
        case_id: embargo_core::CaseId,
        organization: &str,
        more: &[(&str, String)],
    ) -> Result<String, AppError> {
        let mut text = self
            .templates()
            .await?
            .remove(name)
            .unwrap_or_default()
            .replace("{reference}", &case_id.receipt())
            .replace("{organization}", organization);
        for (key, value) in more {
            text = text.replace(key, value);
        }
        Ok(text)
    }

    pub async fn set_template(
        &self,
        principal: Principal,
        name: &str,
        text: &str,
        now: Timestamp,
    ) -> Result<(), AppError> {
        self.require_admin(principal).await?;
        if !DEFAULT_TEMPLATES.iter().any(|(k, _)| *k == name) {
            return Err(AppError::invalid(ValueError::new(
                "template",
                format!("{name:?} is not a template"),
            )));
        }
        if text.trim().is_empty() || text.len() > 20_000 {
            return Err(AppError::invalid(ValueError::new(
                "template",
                "must be 1-20000 bytes",
            )));
        }
        let mut all = self.templates().await?;
        all.insert(name.to_string(), text.trim().to_string());
        let mut tx = self.store.begin().await?;
        tx.set_setting("templates", &json!(all)).await?;
        self.audit(
            &mut tx,
            principal,
            None,
            "set_template",
            json!({"template": name}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
