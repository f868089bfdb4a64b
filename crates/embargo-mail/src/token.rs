//! Reply tokens: how a reply finds its case.
//!
//! Outgoing mail about a case carries a token of lower-case hex characters twice: in the
//! Reply-To plus address (`security+<token>@example.org`) and in the subject
//! (`[embargo:<token>]`). Either one surviving the reporter's mail client is enough.

/// Lengths of a token: 32 (8 hex digits of the time it was made, then 12 random bytes, in
/// hex), or 24 (the 12 random bytes alone: cases filed before tokens began with their time,
/// whose mail threads go on).
pub const TOKEN_LENS: [usize; 2] = [32, 24];

/// Whether `s` is exactly a token: 32 or 24 characters of `0-9a-f`. Upper case is not
/// accepted: the desk writes lower case, and anything else was not written by it.
pub fn is_token(s: &str) -> bool {
    TOKEN_LENS.contains(&s.len()) && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The token in a plus address `anything+<token>@domain`, if it has one.
pub fn from_address(address: &str) -> Option<&str> {
    let address = address.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, domain) = address.rsplit_once('@')?;
    let (_, detail) = local.rsplit_once('+')?;
    (!domain.is_empty() && is_token(detail)).then_some(detail)
}

/// The first well-formed `[embargo:<token>]` in a subject; the tag is matched
/// case-insensitively (`[Embargo:` survives clients that "fix" capitalization).
pub fn from_subject(subject: &str) -> Option<&str> {
    const TAG: &str = "[embargo:";
    // ASCII lower-casing keeps byte offsets, so indices found in it are valid in `subject`.
    let lower = subject.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower.get(from..).and_then(|rest| rest.find(TAG)) {
        let start = from + found + TAG.len();
        let closed_token = TOKEN_LENS.iter().find_map(|len| {
            let token = subject.get(start..start + len)?;
            let closed = subject.get(start + len..start + len + 1) == Some("]");
            (closed && is_token(token)).then_some(token)
        });
        if closed_token.is_some() {
            return closed_token;
        }
        from = start;
    }
    None
}

/// The first token among `addresses` (in the order given), else in `subject`.
pub fn find<'a>(addresses: impl IntoIterator<Item = &'a str>, subject: &'a str) -> Option<String> {
    addresses
        .into_iter()
        .find_map(from_address)
        .or_else(|| from_subject(subject))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "0123456789abcdef01234567";

    #[test]
    fn plus_addresses() {
        assert_eq!(from_address(&format!("security+{T}@example.org")), Some(T));
        assert_eq!(from_address(&format!("<a+b+{T}@example.org>")), Some(T));
        assert_eq!(from_address("security@example.org"), None);
        assert_eq!(from_address("security+short@example.org"), None);
        assert_eq!(
            from_address(&format!("security+{}@example.org", T.to_uppercase())),
            None
        );
        assert_eq!(from_address(&format!("security+{T}0@example.org")), None);
        assert_eq!(from_address(&format!("security+{T}")), None);
        assert_eq!(from_address(&format!("security+{T}@")), None);
    }

    #[test]
    fn subjects() {
        assert_eq!(from_subject(&format!("Re: [embargo:{T}] bug")), Some(T));
        assert_eq!(from_subject(&format!("Re: [EMBARGO:{T}]")), Some(T));
        assert_eq!(from_subject(&format!("[embargo:{T}")), None);
        assert_eq!(from_subject(&format!("[embargo:{T}0]")), None);
        assert_eq!(from_subject("[embargo:xyz] [embargo:"), None);
        // A malformed first tag does not hide a good second one.
        assert_eq!(
            from_subject(&format!("[embargo:nothex] Re: [embargo:{T}]")),
            Some(T)
        );
        // Multi-byte text around or inside the tag never splits a character.
        assert_eq!(from_subject(&format!("Ré: [embargo:{T}] ünïcode")), Some(T));
        assert_eq!(from_subject("[embargo:ééééééééééééééééééééééé]"), None);
    }

    #[test]
    fn time_led_tokens_and_older_ones_are_both_found() {
        // A token made now (its time, then the random part) and one made before.
        let new = "6553f1000123456789abcdef01234567";
        assert_eq!(
            from_address(&format!("security+{new}@example.org")),
            Some(new)
        );
        assert_eq!(from_subject(&format!("Re: [embargo:{new}] bug")), Some(new));
        assert_eq!(from_subject(&format!("Re: [embargo:{T}] bug")), Some(T));
        // Lengths in between, or longer, are not tokens.
        assert_eq!(
            from_address(&format!("security+{}@example.org", &new[..28])),
            None
        );
        assert_eq!(from_subject(&format!("[embargo:{}]", &new[..30])), None);
        assert_eq!(from_subject(&format!("[embargo:{new}0]")), None);
    }

    #[test]
    fn addresses_come_before_the_subject() {
        let other = "fedcba9876543210fedcba98";
        let subject = format!("[embargo:{other}]");
        let to = format!("x+{T}@example.org");
        assert_eq!(find([to.as_str()], &subject).as_deref(), Some(T));
        assert_eq!(find(["x@example.org"], &subject).as_deref(), Some(other));
        assert_eq!(find([], "no token"), None);
    }
}
