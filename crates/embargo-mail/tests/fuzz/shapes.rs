//! Inputs for the mail fuzz properties: byte mutations of real messages, and hostile but mail-shaped messages (headers, encoded words, nested multiparts, PGP armor).

use super::*;

// ---- mutations ----

#[derive(Debug, Clone)]
pub(crate) enum Mutation {
    Flip(Index, u8),
    Set(Index, u8),
    Insert(Index, Vec<u8>),
    Delete(Index, usize),
    Duplicate(Index, usize),
    Truncate(Index),
}

/// Byte strings that mean something to a mail or OpenPGP parser.
pub(crate) const TOKENS: &[&[u8]] = &[
    b"\r\n",
    b"\n",
    b"\r\n\r\n",
    b"\r\n ",
    b"--",
    b"\"",
    b";",
    b":",
    b"=",
    b"=?",
    b"?=",
    b"=?utf-8?B?",
    b"=?iso-2022-jp?Q?",
    b"boundary=",
    b"charset=",
    b"Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"-----BEGIN PGP MESSAGE-----\n",
    b"-----END PGP MESSAGE-----\n",
    b"<",
    b">",
    b"@",
    b"\0",
    b"\xff",
    b"\xc3",
    b"\xe2\x80\xa8",
];

pub(crate) fn mutation() -> impl Strategy<Value = Mutation> {
    let insert = prop_oneof![
        prop::sample::select(TOKENS).prop_map(<[u8]>::to_vec),
        prop::collection::vec(any::<u8>(), 1..16),
    ];
    prop_oneof![
        3 => (any::<Index>(), 0u8..8).prop_map(|(i, bit)| Mutation::Flip(i, bit)),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        3 => (any::<Index>(), insert).prop_map(|(i, bytes)| Mutation::Insert(i, bytes)),
        2 => (any::<Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => (any::<Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
    ]
}

pub(crate) fn mutate(data: &mut Vec<u8>, mutations: &[Mutation]) {
    for m in mutations {
        if data.is_empty() {
            data.push(b'x');
        }
        let at = |i: &Index| i.index(data.len());
        match m {
            Mutation::Flip(i, bit) => {
                let i = at(i);
                data[i] ^= 1 << bit;
            }
            Mutation::Set(i, b) => {
                let i = at(i);
                data[i] = *b;
            }
            Mutation::Insert(i, bytes) => {
                let i = i.index(data.len() + 1);
                data.splice(i..i, bytes.iter().copied());
            }
            Mutation::Delete(i, n) => {
                let i = at(i);
                let end = (i + n).min(data.len());
                data.drain(i..end);
            }
            Mutation::Duplicate(i, n) => {
                let i = at(i);
                let end = (i + n).min(data.len());
                let copy = data[i..end].to_vec();
                data.splice(i..i, copy);
            }
            Mutation::Truncate(i) => {
                let i = at(i);
                data.truncate(i);
            }
        }
    }
}

// ---- hostile but mail-shaped input ----

pub(crate) fn weird_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,40}",
        "\\PC{0,30}",
        "[a-z\"<>@,;:()\\\\. \t=?]{0,30}",
        prop::collection::vec(any::<char>(), 0..20).prop_map(|c| c.into_iter().collect()),
    ]
}

pub(crate) fn charset() -> impl Strategy<Value = &'static str> {
    prop::sample::select(
        &[
            "utf-8",
            "UTF-8",
            "iso-8859-1",
            "windows-1252",
            "shift_jis",
            "iso-2022-jp",
            "gb18030",
            "big5",
            "euc-kr",
            "utf-16",
            "utf-16le",
            "utf-7",
            "x-unknown",
            "",
            "utf-8*en",
        ][..],
    )
}

pub(crate) fn encoded_word() -> impl Strategy<Value = String> {
    (
        charset(),
        prop_oneof![Just("B"), Just("Q"), Just("b"), Just("q"), Just("X")],
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..40).prop_map(|b| base64(&b)),
            "[A-Za-z0-9+/=_?%]{0,40}",
            "(=[0-9A-Fa-fZ]{0,2}|[ -~]){0,20}",
        ],
    )
        .prop_map(|(cs, enc, payload)| format!("=?{cs}?{enc}?{payload}?="))
}

pub(crate) fn address() -> impl Strategy<Value = String> {
    let local = prop_oneof!["[a-z0-9.+_-]{1,20}", weird_text()];
    let domain = prop_oneof!["[a-z0-9-]{1,10}\\.[a-z]{2,4}", weird_text()];
    let name = prop_oneof![
        Just(String::new()),
        "[A-Za-z ]{1,20}".prop_map(|n| format!("\"{n}\" ")),
        encoded_word().prop_map(|w| format!("{w} ")),
        weird_text().prop_map(|n| format!("{n} ")),
    ];
    let one = (name, local, domain, any::<bool>()).prop_map(|(name, local, domain, angle)| {
        if angle {
            format!("{name}<{local}@{domain}>")
        } else {
            format!("{local}@{domain}")
        }
    });
    prop_oneof![
        6 => prop::collection::vec(one, 1..4).prop_map(|a| a.join(", ")),
        1 => Just("undisclosed-recipients:;".to_string()),
        1 => Just("group: a@b.org, <c@d.org>;, e@f.org".to_string()),
        1 => Just("<<@>>, @, <>, \"\" <@x>".to_string()),
        1 => weird_text(),
    ]
}

/// A header value: valid-looking, encoded, very long, or junk (raw bytes, not all UTF-8).
pub(crate) fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => weird_text().prop_map(String::into_bytes),
        2 => address().prop_map(String::into_bytes),
        2 => prop::collection::vec(encoded_word(), 1..5).prop_map(|w| w.join(" ").into_bytes()),
        1 => (1usize..40_000, "[ -~]").prop_map(|(n, c)| c.repeat(n).into_bytes()),
        1 => (1usize..2_000).prop_map(|n| "folded\r\n ".repeat(n).into_bytes()),
        1 => (1usize..500, encoded_word()).prop_map(|(n, w)| format!("{w} ").repeat(n).into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..60),
        1 => "[a-z]{1,10}/[a-z0-9.+-]{1,15}(; ?[a-z*0-9]{1,10}=\"?[ -~]{0,20}\"?){0,4}"
            .prop_map(String::into_bytes),
    ]
}

pub(crate) fn header() -> impl Strategy<Value = (String, Vec<u8>)> {
    let name = prop_oneof![
        8 => prop::sample::select(&[
            "From",
            "To",
            "Cc",
            "Reply-To",
            "Subject",
            "Message-ID",
            "Delivered-To",
            "MIME-Version",
            "Content-Type",
            "Content-Transfer-Encoding",
            "Content-Disposition",
            "Content-ID",
            "Date",
            "References",
            "In-Reply-To",
            "Received",
        ][..])
        .prop_map(str::to_string),
        1 => "[A-Za-z-]{1,20}",
        1 => "[^:\r\n]{0,10}",
    ];
    (name, header_value())
}

/// A transfer-encoded body: quoted-printable or base64, well-formed or broken.
pub(crate) fn encoded_body() -> impl Strategy<Value = (&'static str, Vec<u8>)> {
    let qp = prop::collection::vec(
        prop_oneof![
            Just("=".to_string()),
            Just("=3D".to_string()),
            Just("=\r\n".to_string()),
            Just("=\n".to_string()),
            Just("=ZZ".to_string()),
            Just("=A".to_string()),
            Just("=C3=A9".to_string()),
            Just("=FF".to_string()),
            Just(" \r\n".to_string()),
            "[ -~]{0,20}",
            (1usize..3000).prop_map(|n| "q".repeat(n)),
        ],
        0..40,
    )
    .prop_map(|parts| ("quoted-printable", parts.concat().into_bytes()));
    let b64 = (
        prop::collection::vec(any::<u8>(), 0..600),
        prop::collection::vec(mutation(), 0..3),
        1usize..120,
    )
        .prop_map(|(data, mutations, width)| {
            let mut text = base64(&data)
                .as_bytes()
                .chunks(width)
                .collect::<Vec<_>>()
                .join(&b"\r\n"[..]);
            mutate(&mut text, &mutations);
            ("base64", text)
        });
    let other = (
        prop::sample::select(&["7bit", "8bit", "binary", "x-uuencode", "BASE64 ", ""][..]),
        prop::collection::vec(any::<u8>(), 0..200),
    );
    prop_oneof![3 => qp, 3 => b64, 1 => other]
}

/// A random sequence of OpenPGP packets: real tags, random lengths and contents.
pub(crate) fn packets() -> impl Strategy<Value = Vec<u8>> {
    let packet = (
        prop::sample::select(&[1u8, 2, 3, 8, 9, 11, 18, 20, 0, 63][..]),
        any::<bool>(),
        prop::collection::vec(any::<u8>(), 0..80),
        prop_oneof![Just(None), any::<u8>().prop_map(Some)],
    )
        .prop_map(|(tag, new_format, body, len)| {
            let len = len.unwrap_or(body.len().min(191) as u8);
            let mut out = if new_format {
                vec![0xC0 | tag, len]
            } else {
                vec![0x80 | ((tag & 0x0F) << 2), len]
            };
            out.extend(body);
            out
        });
    prop::collection::vec(packet, 0..5).prop_map(|p| p.concat())
}

/// An armored PGP message: random bytes, random packets, or a real ciphertext mutated.
pub(crate) fn armor_block() -> impl Strategy<Value = String> {
    let data = prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..300),
        2 => packets(),
        3 => (
            any::<Index>(),
            prop::collection::vec(mutation(), 0..4),
        )
            .prop_map(|(which, mutations)| {
                let real = real_ciphertexts();
                let mut data = real[which.index(real.len())].clone();
                mutate(&mut data, &mutations);
                data
            }),
    ];
    let headers = prop::collection::vec(
        prop_oneof![
            "Version: [ -~]{0,20}",
            "Comment: [ -~]{0,20}",
            "[ -~]{0,20}"
        ],
        0..3,
    );
    (data, headers, any::<bool>(), 1usize..100)
        .prop_map(|(data, headers, checksum, width)| armor(&data, &headers, checksum, width))
}

pub(crate) fn html_body() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(
                &[
                    "<p>",
                    "</p>",
                    "<a href=\"",
                    "\">",
                    "</a>",
                    "<a href='x'>",
                    "&amp;",
                    "&#x",
                    "&#",
                    ";",
                    "&",
                    "<!--",
                    "-->",
                    "<script>",
                    "</script>",
                    "<pre>",
                    "</pre>",
                    "<li>",
                    "<img alt=\"",
                    "<br/>",
                    "<",
                    ">",
                    "\"",
                    "'",
                    "<td>",
                    "<style>",
                    "</",
                ][..]
            )
            .prop_map(str::to_string),
            "[ -~]{0,10}",
            "\\PC{0,5}",
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat().into_bytes())
}

/// A leaf part's headers and body.
pub(crate) fn leaf() -> impl Strategy<Value = Part> {
    let text = (charset(), prop::collection::vec(any::<u8>(), 0..200)).prop_map(|(cs, body)| {
        (
            vec![(
                "Content-Type".to_string(),
                format!("text/plain; charset=\"{cs}\"").into_bytes(),
            )],
            body,
        )
    });
    let encoded = (
        prop::sample::select(
            &[
                "text/plain",
                "text/html",
                "application/octet-stream",
                "image/png",
                "application/pgp-encrypted",
                "message/rfc822",
            ][..],
        ),
        prop::option::of(weird_text()),
        encoded_body(),
    )
        .prop_map(|(ct, name, (cte, body))| {
            let mut headers = vec![
                ("Content-Type".to_string(), ct.as_bytes().to_vec()),
                (
                    "Content-Transfer-Encoding".to_string(),
                    cte.as_bytes().to_vec(),
                ),
            ];
            if let Some(name) = name {
                headers.push((
                    "Content-Disposition".to_string(),
                    format!("attachment; filename=\"{name}\"").into_bytes(),
                ));
            }
            (headers, body)
        });
    let html = html_body().prop_map(|body| {
        (
            vec![(
                "Content-Type".to_string(),
                b"text/html; charset=utf-8".to_vec(),
            )],
            body,
        )
    });
    let inline_pgp = (weird_text(), armor_block(), any::<bool>(), weird_text()).prop_map(
        |(before, block, quoted, after)| {
            let block = if quoted {
                block
                    .lines()
                    .map(|l| format!("> {l}\r\n"))
                    .collect::<String>()
            } else {
                block
            };
            (
                vec![("Content-Type".to_string(), b"text/plain".to_vec())],
                format!("{before}\r\n{block}\r\n{after}").into_bytes(),
            )
        },
    );
    let random = (
        prop::collection::vec(header(), 0..4),
        prop::collection::vec(any::<u8>(), 0..300),
    );
    prop_oneof![
        2 => text,
        3 => encoded,
        2 => html,
        3 => inline_pgp,
        2 => random,
    ]
    .prop_map(|(headers, body)| Part::Leaf { headers, body })
}

#[derive(Debug, Clone)]
pub(crate) enum Part {
    Leaf {
        headers: Vec<(String, Vec<u8>)>,
        body: Vec<u8>,
    },
    Multi {
        subtype: &'static str,
        /// From a tiny alphabet, so that nested boundaries collide with each other.
        boundary: String,
        headers: Vec<(String, Vec<u8>)>,
        preamble: Vec<u8>,
        parts: Vec<Part>,
        closed: bool,
    },
    /// A message/rfc822 part holding a whole mail.
    Message {
        headers: Vec<(String, Vec<u8>)>,
        inner: Box<Part>,
    },
}

pub(crate) fn part() -> impl Strategy<Value = Part> {
    leaf().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            4 => (
                prop::sample::select(&[
                    "mixed", "alternative", "related", "encrypted", "signed", "digest", "report",
                ][..]),
                "[ab-]{0,4}",
                prop::collection::vec(header(), 0..2),
                prop::collection::vec(any::<u8>(), 0..20),
                prop::collection::vec(inner.clone(), 0..4),
                any::<bool>(),
            )
                .prop_map(|(subtype, boundary, headers, preamble, parts, closed)| {
                    Part::Multi {
                        subtype,
                        boundary,
                        headers,
                        preamble,
                        parts,
                        closed,
                    }
                }),
            1 => (prop::collection::vec(header(), 0..4), inner).prop_map(|(headers, inner)| {
                Part::Message {
                    headers,
                    inner: Box::new(inner),
                }
            }),
        ]
    })
}

pub(crate) fn render_headers(out: &mut Vec<u8>, headers: &[(String, Vec<u8>)]) {
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
}

pub(crate) fn render(part: &Part, out: &mut Vec<u8>) {
    match part {
        Part::Leaf { headers, body } => {
            render_headers(out, headers);
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(body);
        }
        Part::Multi {
            subtype,
            boundary,
            headers,
            preamble,
            parts,
            closed,
        } => {
            let protocol = match *subtype {
                "encrypted" => "; protocol=\"application/pgp-encrypted\"",
                "signed" => "; protocol=\"application/pgp-signature\"",
                _ => "",
            };
            out.extend_from_slice(
                format!("Content-Type: multipart/{subtype}; boundary=\"{boundary}\"{protocol}\r\n")
                    .as_bytes(),
            );
            render_headers(out, headers);
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(preamble);
            for p in parts {
                out.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
                render(p, out);
            }
            if *closed {
                out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
            }
        }
        Part::Message { headers, inner } => {
            out.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
            render_headers(out, headers);
            render(inner, out);
        }
    }
}

/// A whole mail: a From: that is usually valid (so parsing goes on past the sender),
/// random top-level headers, and a random MIME tree.
pub(crate) fn mail() -> impl Strategy<Value = Vec<u8>> {
    let from = prop_oneof![
        6 => "[a-z]{1,8}@[a-z]{1,8}\\.org".prop_map(|a| format!("Ada <{a}>").into_bytes()),
        1 => address().prop_map(String::into_bytes),
        1 => header_value(),
    ];
    (
        from,
        prop::collection::vec(header(), 0..6),
        part(),
        any::<bool>(),
    )
        .prop_map(|(from, headers, root, lf_only)| {
            let mut out = Vec::new();
            render_headers(&mut out, &[("From".to_string(), from)]);
            render_headers(&mut out, &headers);
            out.extend_from_slice(b"MIME-Version: 1.0\r\n");
            render(&root, &mut out);
            if lf_only {
                out.retain(|b| *b != b'\r');
            }
            out
        })
}

pub(crate) fn limits() -> impl Strategy<Value = Limits> {
    prop_oneof![
        3 => Just(Limits::default()),
        1 => (0usize..5_000, 0usize..4, 0usize..200).prop_map(|(m, n, a)| Limits {
            max_message_bytes: m,
            max_plaintext_bytes: m,
            max_attachments: n,
            max_attachment_bytes: a,
        }),
    ]
}
