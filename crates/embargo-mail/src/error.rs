//! The one error type of this crate.
//!
//! Messages name what is wrong with the mail or the key, never what it says: a decrypted body,
//! a passphrase or key material must not reach a log or a bounce through an error.

use thiserror::Error;

/// Why a mail or a key was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MailError {
    /// The raw message is over [`Limits::max_message_bytes`](crate::Limits::max_message_bytes).
    #[error("the {what} is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        what: &'static str,
        size: usize,
        limit: usize,
    },
    /// What the message's encrypted blocks decrypt to, all of them together, is over
    /// [`Limits::max_plaintext_bytes`](crate::Limits::max_plaintext_bytes) (`budget`, in
    /// bytes). Parsing stops at the first byte over it; nothing of the content is quoted.
    #[error(
        "the decrypted content of the message exceeds the budget of {} MiB for the whole message",
        mebibytes(.budget)
    )]
    PlaintextBudgetExceeded { budget: usize },
    /// More attachments than [`Limits::max_attachments`](crate::Limits::max_attachments).
    #[error("the message has {count} attachments, over the limit of {limit}")]
    TooManyAttachments { count: usize, limit: usize },
    /// One attachment over [`Limits::max_attachment_bytes`](crate::Limits::max_attachment_bytes).
    #[error("the attachment {filename:?} is {size} bytes, over the limit of {limit} bytes")]
    AttachmentTooLarge {
        filename: String,
        size: usize,
        limit: usize,
    },
    /// No usable From: address: nobody to answer.
    #[error("the message has no sender address in its From: header")]
    NoSender,
    /// A From: address that is not a valid e-mail address.
    #[error("the sender address {address:?} is not a valid e-mail address: {reason}")]
    BadSender { address: String, reason: String },
    /// The bytes are not a readable e-mail, or its encrypted part is not laid out as RFC 3156 says.
    #[error("the message is malformed: {0}")]
    Malformed(String),
    /// Encrypted mail arrived, and no team key is configured.
    #[error(
        "the message is encrypted to a key this installation does not have: \
         no team OpenPGP key is configured"
    )]
    NoTeamKey,
    /// Encrypted mail for other keys only (e.g. the reporter encrypted to themselves).
    #[error(
        "the message is encrypted to a key this installation does not have: \
         it is for key {recipients}, the team key is {team}"
    )]
    WrongKey { recipients: String, team: String },
    /// The encrypted part is meant for the team key but cannot be decrypted or is corrupt.
    #[error("the encrypted part cannot be decrypted: {0}")]
    Decrypt(String),
    /// An OpenPGP key block that cannot be used (unreadable, secret where public is expected,
    /// nothing to encrypt to, broken self-signatures, revoked).
    #[error("the OpenPGP key is not usable: {0}")]
    InvalidKey(String),
    /// The team key's passphrase is missing or wrong.
    #[error("the team key's passphrase is missing or wrong")]
    BadPassphrase,
    /// Encryption to a reporter's key failed.
    #[error("encrypting to the reporter's key failed: {0}")]
    Encrypt(String),
}

impl MailError {
    /// Whether trying the same mail again later could succeed: a mail server's pipe delivery
    /// maps `true` to EX_TEMPFAIL (75, retry) and `false` to EX_DATAERR (65, bounce).
    ///
    /// Everything this crate reports is about the mail or the key, so nothing is temporary; the
    /// method exists so callers map the exit code in one place, and the exhaustive match makes
    /// whoever adds a variant decide.
    pub fn is_temporary(&self) -> bool {
        match self {
            MailError::TooLarge { .. }
            | MailError::PlaintextBudgetExceeded { .. }
            | MailError::TooManyAttachments { .. }
            | MailError::AttachmentTooLarge { .. }
            | MailError::NoSender
            | MailError::BadSender { .. }
            | MailError::Malformed(_)
            | MailError::NoTeamKey
            | MailError::WrongKey { .. }
            | MailError::Decrypt(_)
            | MailError::InvalidKey(_)
            | MailError::BadPassphrase
            | MailError::Encrypt(_) => false,
        }
    }
}

/// `bytes` in MiB for a message: "25", or rounded to at most two decimals ("0.5") when not
/// whole.
fn mebibytes(bytes: &usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes.is_multiple_of(MIB) {
        return (bytes / MIB).to_string();
    }
    let hundredths = bytes.saturating_mul(100).saturating_add(MIB / 2) / MIB;
    if hundredths == 0 {
        return "less than 0.01".to_string();
    }
    let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A fixed description of an rPGP error.
///
/// rPGP's own messages may quote the bytes it choked on (its parser errors print "expected ..,
/// found .."), and after decryption those bytes are plaintext, so only the kind is passed on.
pub(crate) fn describe_pgp(err: &pgp::errors::Error) -> &'static str {
    use pgp::errors::Error as E;
    match err {
        E::MissingKey => "no matching secret key",
        E::MdcError => "its integrity check failed (the ciphertext was modified or cut off)",
        E::InvalidChecksum => "the ASCII armor checksum does not match",
        E::InvalidArmorWrappers => "the ASCII armor lines are broken",
        E::Base64Decode { .. } => "the ASCII armor is not valid base64",
        E::PacketParsing { .. }
        | E::PacketIncomplete { .. }
        | E::PacketError { .. }
        | E::InvalidPacketContent { .. }
        | E::PacketTooLarge { .. } => "the OpenPGP packets are malformed or cut off",
        E::Unsupported { .. } | E::Unimplemented { .. } => {
            "it uses an OpenPGP algorithm or packet version that is not supported"
        }
        E::IO { .. } => "the OpenPGP data is cut off or unreadable",
        _ => "the OpenPGP data is invalid",
    }
}

#[cfg(test)]
mod tests {
    use super::MailError;

    #[test]
    fn nothing_is_temporary() {
        let errors = [
            MailError::NoSender,
            MailError::NoTeamKey,
            MailError::Malformed("x".into()),
            MailError::TooLarge {
                what: "message",
                size: 2,
                limit: 1,
            },
            MailError::PlaintextBudgetExceeded { budget: 1 },
        ];
        assert!(errors.iter().all(|e| !e.is_temporary()));
    }

    #[test]
    fn messages_say_what_is_wrong() {
        let e = MailError::TooLarge {
            what: "message",
            size: 30,
            limit: 25,
        };
        assert_eq!(
            e.to_string(),
            "the message is 30 bytes, over the limit of 25 bytes"
        );
        assert!(
            MailError::NoTeamKey
                .to_string()
                .contains("encrypted to a key this installation does not have")
        );
        assert_eq!(
            MailError::PlaintextBudgetExceeded {
                budget: 25 * 1024 * 1024
            }
            .to_string(),
            "the decrypted content of the message exceeds the budget of 25 MiB for the \
             whole message"
        );
        for (budget, mib) in [
            (512 * 1024, "0.5"),
            (1024 * 1024 + 1, "1"),
            (1, "less than 0.01"),
        ] {
            let message = MailError::PlaintextBudgetExceeded { budget }.to_string();
            assert!(message.contains(&format!(" {mib} MiB ")), "{message}");
        }
    }
}
