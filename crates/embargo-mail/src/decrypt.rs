//! Decrypting an OpenPGP message with the team key: the payload of a PGP/MIME part (RFC 3156)
//! or an inline `-----BEGIN PGP MESSAGE-----` block.

use std::io::Read;

use pgp::composed::{Esk, Message};

use crate::error::{MailError, describe_pgp};
use crate::key::TeamKey;

/// How many compression layers are unwrapped. One is what every implementation writes; a few
/// more cost nothing, and a bound stops a crafted message from nesting forever.
const MAX_COMPRESSION_LAYERS: usize = 4;

/// What is left of one message's plaintext budget
/// ([`Limits::max_plaintext_bytes`](crate::Limits::max_plaintext_bytes)): every encrypted
/// block of the message, the PGP/MIME part and each inline block alike, decrypts into this
/// one allowance, so a mail of many small compressed blocks cannot add up to gigabytes.
#[derive(Debug)]
pub(crate) struct PlaintextBudget {
    limit: usize,
    remaining: usize,
}

impl PlaintextBudget {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            limit,
            remaining: limit,
        }
    }
}

/// Decrypts `data` (armored or binary OpenPGP) and returns the literal data, at most what is
/// left of `budget`, which the plaintext is then charged to: a small message can decompress
/// to gigabytes, so the plaintext is read through a limit rather than trusted.
pub(crate) fn decrypt(
    key: Option<&TeamKey>,
    data: &[u8],
    budget: &mut PlaintextBudget,
) -> Result<Vec<u8>, MailError> {
    let (message, _headers) = Message::from_reader(data).map_err(|e| {
        MailError::Malformed(format!(
            "the encrypted part is not an OpenPGP message: {}",
            describe_pgp(&e)
        ))
    })?;
    let Message::Encrypted { esk, .. } = &message else {
        return Err(MailError::Malformed(
            "the OpenPGP message in the encrypted part is not encrypted".into(),
        ));
    };
    // Which key it is for is public (it is in the packet headers), so it can be told before
    // anything is decrypted, and named in the error.
    let key = key.ok_or(MailError::NoTeamKey)?;
    check_recipients(key, esk)?;
    // A hidden recipient (all-zero key id) passes the check above; if the decryption then
    // finds no key, it was someone else's after all.
    let not_ours = wrong_key(key, esk);

    let mut message = message
        .decrypt(&pgp::types::Password::empty(), key.secret())
        .map_err(|e| match e {
            pgp::errors::Error::MissingKey => not_ours,
            other => MailError::Decrypt(describe_pgp(&other).into()),
        })?;
    for _ in 0..MAX_COMPRESSION_LAYERS {
        if !message.is_compressed() {
            break;
        }
        message = message
            .decompress()
            .map_err(|e| MailError::Decrypt(describe_pgp(&e).into()))?;
    }
    if message.is_compressed() {
        return Err(MailError::Decrypt(
            "it nests more compression layers than any sender writes".into(),
        ));
    }

    let mut plaintext = Vec::new();
    // One byte past what is left, to tell "over" from "exactly used up"; the reader stops
    // there, so no more than that is ever decompressed or held.
    let limit = u64::try_from(budget.remaining)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    // The integrity check (MDC or AEAD tag) is verified as the end is read, so a read error
    // here means tampered or truncated ciphertext. The io::Error text is not passed on: it
    // may quote the data.
    (&mut message)
        .take(limit)
        .read_to_end(&mut plaintext)
        .map_err(|_| {
            MailError::Decrypt(
                "its integrity check failed or it is cut off (the ciphertext was modified \
                 or truncated)"
                    .into(),
            )
        })?;
    match budget.remaining.checked_sub(plaintext.len()) {
        Some(left) => {
            budget.remaining = left;
            Ok(plaintext)
        }
        None => Err(MailError::PlaintextBudgetExceeded {
            budget: budget.limit,
        }),
    }
}

fn check_recipients(key: &TeamKey, esk: &[Esk]) -> Result<(), MailError> {
    let mut to_a_key = false;
    for e in esk {
        if let Esk::PublicKeyEncryptedSessionKey(pkesk) = e {
            to_a_key = true;
            if key.is_recipient(pkesk) {
                return Ok(());
            }
        }
    }
    if to_a_key {
        Err(wrong_key(key, esk))
    } else {
        Err(MailError::Decrypt(
            "it is encrypted with a passphrase, not to the team's key".into(),
        ))
    }
}

fn wrong_key(key: &TeamKey, esk: &[Esk]) -> MailError {
    let recipients: Vec<String> = esk
        .iter()
        .filter_map(|e| match e {
            Esk::PublicKeyEncryptedSessionKey(pkesk) => Some(
                pkesk
                    .id()
                    .map(|id| match id.is_wildcard() {
                        true => "(hidden recipient)".to_string(),
                        false => id.to_string().to_uppercase(),
                    })
                    .or_else(|_| {
                        pkesk.fingerprint().map(|fp| {
                            fp.map_or("(hidden recipient)".to_string(), |fp| format!("{fp:X}"))
                        })
                    })
                    .unwrap_or_else(|_| "(unknown)".to_string()),
            ),
            Esk::SymKeyEncryptedSessionKey(_) => None,
        })
        .collect();
    MailError::WrongKey {
        recipients: recipients.join(", "),
        team: key.fingerprint(),
    }
}
