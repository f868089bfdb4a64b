//! Chat and webhooks. Team notices (references, links, dates: never report text) go to the
//! core chat room through the Matrix client-server API and to the organization's webhooks,
//! each delivery a job of its own so one failing channel neither blocks nor repeats another.

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::failure::Failure;

/// A Matrix room (e.g. the core team's room on Element).
#[derive(Clone)]
pub struct MatrixRoom {
    /// e.g. `https://matrix.example.org`
    pub homeserver: String,
    /// e.g. `!abcdef:example.org`
    pub room_id: String,
    pub access_token: String,
}

/// A receiver of signed JSON events.
#[derive(Clone)]
pub struct Webhook {
    pub url: String,
    pub secret: String,
}

impl std::fmt::Debug for MatrixRoom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatrixRoom")
            .field("homeserver", &self.homeserver)
            .field("room_id", &self.room_id)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Default)]
pub struct Channels {
    pub matrix: Option<MatrixRoom>,
    pub webhooks: Vec<Webhook>,
}

impl std::fmt::Debug for Channels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channels")
            .field("matrix", &self.matrix.as_ref().map(|m| &m.room_id))
            .field("webhooks", &self.webhooks.len())
            .finish()
    }
}

impl Channels {
    /// Refuses a misconfigured channel at startup, with a sentence.
    pub fn check(&self) -> Result<(), String> {
        let url_ok = |u: &str| u.starts_with("https://") || u.starts_with("http://");
        if let Some(m) = &self.matrix {
            if !url_ok(&m.homeserver) {
                return Err(format!(
                    "matrix.homeserver {:?} must be an http(s) URL",
                    m.homeserver
                ));
            }
            if !m.room_id.starts_with('!') || !m.room_id.contains(':') {
                return Err(format!(
                    "matrix.room_id {:?} must be a room id like !abc:example.org",
                    m.room_id
                ));
            }
            if m.access_token.trim().is_empty() {
                return Err("matrix.access_token is empty".into());
            }
        }
        for w in &self.webhooks {
            if !url_ok(&w.url) {
                return Err(format!("webhook url {:?} must be an http(s) URL", w.url));
            }
            if w.secret.len() < 16 {
                return Err(format!(
                    "the secret of webhook {} must have at least 16 characters",
                    w.url
                ));
            }
        }
        Ok(())
    }

    /// Channel names for delivery jobs: `matrix`, `webhook:0`, `webhook:1`...
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.matrix.iter().map(|_| "matrix".to_string()).collect();
        names.extend((0..self.webhooks.len()).map(|i| format!("webhook:{i}")));
        names
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(20)))
        .build()
        .new_agent()
}

fn outcome(status: u16, what: &str) -> Result<(), Failure> {
    match status {
        200..=299 => Ok(()),
        // Rate limits and server trouble pass; anything else will not get better by itself.
        408 | 425 | 429 | 500..=599 => Err(Failure::temporary(format!("{what}: HTTP {status}"))),
        _ => Err(Failure::permanent(format!("{what}: HTTP {status}"))),
    }
}

/// RFC 3986's unreserved characters stay; everything else in a path segment is encoded.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn percent(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
}

/// Posts a notice to the room. The transaction id is the job's id, so a retried delivery
/// is the same event to the homeserver, not a second message.
pub fn post_matrix(room: &MatrixRoom, txn: &str, text: &str) -> Result<(), Failure> {
    let url = format!(
        "{}/_matrix/client/v3/rooms/{}/send/m.room.message/{}",
        room.homeserver.trim_end_matches('/'),
        percent(&room.room_id),
        percent(txn)
    );
    let body = json!({"msgtype": "m.notice", "body": text}).to_string();
    let res = agent()
        .put(&url)
        .header("Authorization", &format!("Bearer {}", room.access_token))
        .header("Content-Type", "application/json")
        .send(body)
        .map_err(|e| Failure::temporary(format!("matrix: {e}")))?;
    outcome(res.status().as_u16(), "matrix")
}

/// Posts a signed event: `X-Embargo-Signature-256: sha256=<hex HMAC-SHA256 of the body>`,
/// and `X-Embargo-Delivery` so the receiver can drop a repeated delivery.
pub fn post_webhook(hook: &Webhook, delivery: &str, event: &Value) -> Result<(), Failure> {
    let body = event.to_string();
    let mut mac = Hmac::<Sha256>::new_from_slice(hook.secret.as_bytes())
        .map_err(|_| Failure::permanent("webhook secret"))?;
    mac.update(body.as_bytes());
    let signature = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    let res = agent()
        .post(&hook.url)
        .header("Content-Type", "application/json")
        .header(
            "X-Embargo-Event",
            event["event"].as_str().unwrap_or("notice"),
        )
        .header("X-Embargo-Delivery", delivery)
        .header("X-Embargo-Signature-256", &signature)
        .send(body)
        .map_err(|e| Failure::temporary(format!("webhook: {e}")))?;
    outcome(res.status().as_u16(), "webhook")
}

#[cfg(test)]
mod tests {
    #[test]
    fn room_ids_are_one_encoded_path_segment() {
        assert_eq!(super::percent("!room:example.org"), "%21room%3Aexample.org");
        assert_eq!(super::percent("a-b_c.d~e/f"), "a-b_c.d~e%2Ff");
    }
}
