//! OpenPGP keys: the team's secret key (to decrypt incoming reports) and reporters' public keys
//! (to check them when given, and to encrypt mail to them).
//!
//! rPGP gives the packet-level building blocks and leaves key semantics to its users, so the
//! choice of which (sub)keys may encrypt is made here: a valid binding signature, encryption
//! key flags, an algorithm that can encrypt, not revoked. Expiry is not checked, because this
//! crate reads no clock; an expired key still decrypts, and the app can compare dates itself.

use std::fmt;

use pgp::composed::{
    ArmorOptions, Deserializable, MessageBuilder, SignedPublicKey, SignedPublicSubKey,
    SignedSecretKey,
};
use pgp::crypto::aead::{AeadAlgorithm, ChunkSize};
use pgp::crypto::sym::SymmetricKeyAlgorithm;
use pgp::packet::{Signature, SignatureType, SubpacketData};
use pgp::types::{KeyDetails, KeyVersion, Password};
use rand::rngs::OsRng;

use crate::error::{MailError, describe_pgp};

const SECRET_BLOCK: &str = "-----BEGIN PGP PRIVATE KEY BLOCK-----";

/// The security team's OpenPGP secret key, unlocked.
///
/// Checked when built: the self-signatures verify, there is a key that can decrypt, and the
/// passphrase unlocks it, so a misconfiguration shows at startup, not at the first encrypted
/// report. `Debug` shows the fingerprint only.
pub struct TeamKey {
    /// Decryption secrets already unlocked (see `from_armored`).
    key: SignedSecretKey,
    fingerprint: String,
}

impl TeamKey {
    /// Reads an ASCII-armored secret key (`gpg --armor --export-secret-keys`) and checks that
    /// `passphrase` (`None` for an unprotected key) unlocks its decryption key(s).
    ///
    /// A key whose primary secret is kept offline (`gpg --export-secret-subkeys`) works: only
    /// the decryption subkeys need their secret here.
    pub fn from_armored(
        secret_key_armored: &str,
        passphrase: Option<&str>,
    ) -> Result<Self, MailError> {
        if !secret_key_armored.contains(SECRET_BLOCK) {
            return Err(MailError::InvalidKey(
                "the team key must be a secret key block (BEGIN PGP PRIVATE KEY BLOCK)".into(),
            ));
        }
        let (mut key, _headers) = SignedSecretKey::from_string(secret_key_armored.trim())
            .map_err(|e| MailError::InvalidKey(describe_pgp(&e).into()))?;
        key.verify_bindings()
            .map_err(|_| MailError::InvalidKey("its self-signatures do not verify".into()))?;
        let passphrase = Password::from(passphrase.unwrap_or(""));

        // Unlock every secret that can decrypt, once: a wrong passphrase fails here, at
        // startup, and each decryption later skips the deliberately slow passphrase
        // derivation. The unlocked secret lives only in this process's memory, where the
        // passphrase would have to be kept otherwise.
        let mut can_decrypt = false;
        for sub in &mut key.secret_subkeys {
            if sub.key.algorithm().can_encrypt()
                && !is_revoked(&sub.signatures)
                && binding_allows_encryption(&sub.signatures)
            {
                sub.key
                    .remove_password(&passphrase)
                    .map_err(|_| MailError::BadPassphrase)?;
                can_decrypt = true;
            }
        }
        if key.primary_key.algorithm().can_encrypt() {
            let unlocked = key.primary_key.remove_password(&passphrase);
            if !can_decrypt {
                unlocked.map_err(|_| MailError::BadPassphrase)?;
                can_decrypt = true;
            }
        }
        if !can_decrypt {
            return Err(MailError::InvalidKey(
                "it has no secret key that can decrypt".into(),
            ));
        }
        let fingerprint = format!("{:X}", key.primary_key.fingerprint());
        Ok(Self { key, fingerprint })
    }

    /// The public half, ASCII-armored, for the website's "encrypt your report" download.
    pub fn public_key_armored(&self) -> Result<String, MailError> {
        self.key
            .to_public_key()
            .to_armored_string(ArmorOptions::default())
            .map_err(|e| MailError::InvalidKey(describe_pgp(&e).into()))
    }

    /// The primary key's fingerprint, upper-case hex without spaces.
    pub fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }

    pub(crate) fn secret(&self) -> &SignedSecretKey {
        &self.key
    }

    /// Whether `pkesk` is addressed to one of this key's (sub)keys, or to nobody in particular
    /// (a hidden recipient, `gpg --throw-keyids`), which only a decryption attempt can tell.
    pub(crate) fn is_recipient(&self, pkesk: &pgp::packet::PublicKeyEncryptedSessionKey) -> bool {
        pkesk.match_identity(&self.key.primary_key)
            || self
                .key
                .secret_subkeys
                .iter()
                .any(|sub| pkesk.match_identity(&sub.key))
    }
}

impl fmt::Debug for TeamKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TeamKey")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

/// Checks a public key block a reporter gave (web form, API) and returns its fingerprint,
/// upper-case hex. Refuses secret keys outright, with a message that says why, because a
/// reporter who pastes one has just shared it.
pub fn check_public_key(armored: &str) -> Result<String, MailError> {
    let key = read_public_key(armored)?;
    Ok(format!("{:X}", key.fingerprint()))
}

/// Encrypts `plaintext` to a reporter's public key: an ASCII-armored OpenPGP message
/// (SEIPD v1 with AES-256 for v4 keys, as gpg 2.2 and every other current implementation
/// read; SEIPD v2 with AES-256/OCB for v6 keys, as RFC 9580 requires), for every valid
/// encryption (sub)key the block has.
///
/// Randomness comes from the operating system; the literal data carries no file name and
/// the date 0, so nothing about the desk leaks into the packet.
pub fn encrypt_for(
    recipient_public_key_armored: &str,
    plaintext: &str,
) -> Result<String, MailError> {
    let key = read_public_key(recipient_public_key_armored)?;
    let subkeys = encryption_subkeys(&key);
    let bytes = plaintext.as_bytes().to_vec();
    let fail = |e: pgp::errors::Error| MailError::Encrypt(describe_pgp(&e).into());
    let rng = OsRng;
    if key.version() == KeyVersion::V6 {
        let mut builder = MessageBuilder::from_bytes("", bytes).seipd_v2(
            rng,
            SymmetricKeyAlgorithm::AES256,
            AeadAlgorithm::Ocb,
            ChunkSize::default(),
        );
        if subkeys.is_empty() {
            builder.encrypt_to_key(rng, &key).map_err(fail)?;
        }
        for sub in &subkeys {
            builder.encrypt_to_key(rng, *sub).map_err(fail)?;
        }
        builder
            .to_armored_string(rng, ArmorOptions::default())
            .map_err(fail)
    } else {
        let mut builder =
            MessageBuilder::from_bytes("", bytes).seipd_v1(rng, SymmetricKeyAlgorithm::AES256);
        if subkeys.is_empty() {
            builder.encrypt_to_key(rng, &key).map_err(fail)?;
        }
        for sub in &subkeys {
            builder.encrypt_to_key(rng, *sub).map_err(fail)?;
        }
        builder
            .to_armored_string(rng, ArmorOptions::default())
            .map_err(fail)
    }
}

/// Parses and checks a reporter's public key: one key, self-signatures valid, not revoked,
/// something to encrypt to (an encryption subkey, or a primary key flagged for encryption).
fn read_public_key(armored: &str) -> Result<SignedPublicKey, MailError> {
    if armored.contains(SECRET_BLOCK) {
        return Err(MailError::InvalidKey(
            "this is a secret (private) key; send only the public key, and consider the \
             secret one exposed"
                .into(),
        ));
    }
    let (key, _headers) = SignedPublicKey::from_string(armored.trim())
        .map_err(|e| MailError::InvalidKey(describe_pgp(&e).into()))?;
    key.verify_bindings()
        .map_err(|_| MailError::InvalidKey("its self-signatures do not verify".into()))?;
    if !key.details.revocation_signatures.is_empty() {
        return Err(MailError::InvalidKey("the key is revoked".into()));
    }
    if encryption_subkeys(&key).is_empty() && !primary_can_encrypt(&key) {
        return Err(MailError::InvalidKey(
            "it has no key that can encrypt".into(),
        ));
    }
    Ok(key)
}

fn encryption_subkeys(key: &SignedPublicKey) -> Vec<&SignedPublicSubKey> {
    key.public_subkeys
        .iter()
        .filter(|sub| {
            sub.key.algorithm().can_encrypt()
                && !is_revoked(&sub.signatures)
                && binding_allows_encryption(&sub.signatures)
        })
        .collect()
}

/// Old RSA keys may encrypt with the primary key itself, flagged in a user id self-signature.
fn primary_can_encrypt(key: &SignedPublicKey) -> bool {
    key.algorithm().can_encrypt()
        && key
            .details
            .users
            .iter()
            .flat_map(|user| user.signatures.iter())
            .chain(key.details.direct_signatures.iter())
            .any(|sig| {
                let flags = sig.key_flags();
                flags.encrypt_comms() || flags.encrypt_storage()
            })
}

fn is_revoked(signatures: &[Signature]) -> bool {
    signatures
        .iter()
        .any(|sig| sig.typ() == Some(SignatureType::SubkeyRevocation))
}

/// The newest binding signature decides, as it supersedes older ones (RFC 9580, 5.2.3.10).
/// A binding without a key flags subpacket says nothing, so the algorithm alone decides.
fn binding_allows_encryption(signatures: &[Signature]) -> bool {
    let newest = signatures
        .iter()
        .filter(|sig| sig.typ() == Some(SignatureType::SubkeyBinding))
        .max_by_key(|sig| sig.created());
    let Some(sig) = newest else {
        return false;
    };
    let has_flags = sig.config().is_some_and(|config| {
        config
            .hashed_subpackets()
            .any(|p| matches!(p.data, SubpacketData::KeyFlags(_)))
    });
    let flags = sig.key_flags();
    !has_flags || flags.encrypt_comms() || flags.encrypt_storage()
}
