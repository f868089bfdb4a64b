//! A GitHub App authenticates as itself with a JWT signed RS256 by its private key
//! (GitHub's "Generating a JSON Web Token for a GitHub App"): `iat` a minute in the past
//! against clock drift, `exp` at most ten minutes later, `iss` the App's id. With it the
//! App asks for an installation token per organization.

use data_encoding::{BASE64, BASE64URL_NOPAD};
use jiff::Timestamp;
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use serde_json::json;

/// The App's private key, parsed once at start-up.
#[derive(Debug)]
pub(crate) struct AppKey {
    pair: RsaKeyPair,
}

impl AppKey {
    /// From the PEM GitHub hands out (`BEGIN RSA PRIVATE KEY`, PKCS#1) or a PKCS#8
    /// conversion of it (`BEGIN PRIVATE KEY`). The error never quotes the key.
    pub(crate) fn from_pem(pem: &str) -> Result<Self, String> {
        let (label, der) = pem_body(pem)?;
        let pair = match label.as_str() {
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der),
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&der),
            other => {
                return Err(format!(
                    "the key file holds a {other}, not the App's RSA private key"
                ));
            }
        }
        .map_err(|e| format!("the App's private key is not a usable RSA key ({e})"))?;
        Ok(Self { pair })
    }

    /// A JWT for `app_id` valid from a minute before `now` for nine minutes.
    pub(crate) fn jwt(&self, app_id: &str, now: Timestamp) -> Result<String, String> {
        let header = BASE64URL_NOPAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        let iat = now.as_second() - 60;
        let claims = json!({"iat": iat, "exp": iat + 9 * 60 + 60, "iss": app_id});
        let payload = BASE64URL_NOPAD.encode(claims.to_string().as_bytes());
        let signing_input = format!("{header}.{payload}");
        let mut signature = vec![0; self.pair.public().modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| "the JWT could not be signed with the App's key".to_string())?;
        Ok(format!(
            "{signing_input}.{}",
            BASE64URL_NOPAD.encode(&signature)
        ))
    }
}

/// The label and the decoded body of the first PEM block.
fn pem_body(pem: &str) -> Result<(String, Vec<u8>), String> {
    let mut lines = pem
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with("-----BEGIN "));
    let label = lines
        .next()
        .and_then(|l| l.strip_prefix("-----BEGIN "))
        .and_then(|l| l.strip_suffix("-----"))
        .ok_or("the key file is not PEM (no -----BEGIN line)")?
        .to_string();
    let body: String = lines
        .take_while(|l| !l.starts_with("-----END "))
        .filter(|l| !l.contains(':'))
        .collect();
    let der = BASE64
        .decode(body.as_bytes())
        .map_err(|_| "the key file's PEM body is not base64".to_string())?;
    Ok((label, der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junk_is_refused_without_quoting_it() {
        let e = AppKey::from_pem("secret-looking text").unwrap_err();
        assert!(!e.contains("secret"), "{e}");
        let e = AppKey::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
            .unwrap_err();
        assert!(e.contains("CERTIFICATE"), "{e}");
    }
}
