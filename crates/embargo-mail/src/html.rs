//! A readable plain-text rendering of an HTML-only mail body.
//!
//! Reports are read as text by the desk and never rendered as HTML, so all that is needed is
//! the words, the paragraph breaks, list items and the links (a report's proof is often a
//! URL, and the link text alone would hide where it points). Scripts, styles and the head are
//! dropped; entities are decoded; everything else that looks like a tag is removed.

/// Elements whose content is not text for a reader.
const SKIPPED: [&str; 6] = ["script", "style", "head", "title", "template", "noscript"];
/// Elements that start and end on a line of their own.
#[rustfmt::skip]
const BLOCKS: [&str; 22] = [
    "div", "ul", "ol", "table", "tr", "blockquote", "section", "article", "header", "footer",
    "pre", "hr", "dl", "dt", "dd", "form", "fieldset", "address", "figure", "main", "nav",
    "center",
];
/// Elements followed by an empty line.
const PARAGRAPHS: [&str; 7] = ["p", "h1", "h2", "h3", "h4", "h5", "h6"];

/// Renders `html` as plain text with `\n` line ends.
pub fn to_text(html: &str) -> String {
    let mut out = Out::default();
    let mut skipping: Option<String> = None;
    let mut pre = 0usize;
    let mut link: Option<(String, usize)> = None;
    // Once a tag runs to the end of the input, every later '<' would too: looking again
    // from each would take quadratic time on hostile input. A browser would swallow the
    // rest into that tag; here it stays visible as text.
    let mut tags_possible = true;
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        if let Some(after) = rest.strip_prefix("<!--") {
            i += 4 + after.find("-->").map_or(after.len(), |end| end + 3);
            continue;
        }
        let scan = if tags_possible {
            Tag::parse(rest)
        } else {
            Scan::Text
        };
        if let Scan::Unclosed = scan {
            tags_possible = false;
        }
        if let Scan::Tag(tag, len) = scan {
            i += len;
            if let Some(open) = &skipping {
                if tag.closing && tag.name == *open {
                    skipping = None;
                }
                continue;
            }
            let name = tag.name.as_str();
            if SKIPPED.contains(&name) {
                if !tag.closing && !tag.self_closing {
                    skipping = Some(tag.name);
                }
            } else if name == "br" {
                out.line_break(1);
            } else if name == "li" {
                out.line_break(1);
                if !tag.closing {
                    out.push_str("- ");
                }
            } else if name == "td" || name == "th" {
                out.space();
            } else if PARAGRAPHS.contains(&name) {
                out.line_break(2);
            } else if BLOCKS.contains(&name) {
                out.line_break(1);
                if name == "pre" {
                    pre = if tag.closing {
                        pre.saturating_sub(1)
                    } else {
                        pre + 1
                    };
                }
            } else if name == "a" {
                if tag.closing {
                    if let Some((href, start)) = link.take() {
                        out.link_target(&href, start);
                    }
                } else {
                    link = tag.href.map(|href| (href, out.s.len()));
                }
            } else if let Some(alt) = tag.alt.filter(|a| name == "img" && !a.trim().is_empty()) {
                out.push_str(&format!("[{}]", alt.trim()));
            }
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        if skipping.is_some() {
            i += c.len_utf8();
        } else if c == '&' {
            let (decoded, len) = entity(rest);
            out.push_str(&decoded);
            i += len;
        } else if c.is_whitespace() && pre == 0 {
            out.space();
            i += c.len_utf8();
        } else {
            out.push(c);
            i += c.len_utf8();
        }
    }
    out.finish()
}

/// The text being built: collapses runs of white space the way a browser does, and keeps at
/// most one empty line between blocks.
#[derive(Default)]
struct Out {
    s: String,
    pending_space: bool,
}

impl Out {
    fn push(&mut self, c: char) {
        if self.pending_space && !self.s.is_empty() && !self.s.ends_with('\n') {
            self.s.push(' ');
        }
        self.pending_space = false;
        if c == '\u{a0}' {
            self.s.push(' ');
        } else if !c.is_control() || c == '\n' || c == '\t' {
            self.s.push(c);
        }
    }

    fn push_str(&mut self, text: &str) {
        text.chars().for_each(|c| self.push(c));
    }

    fn space(&mut self) {
        self.pending_space = true;
    }

    fn line_break(&mut self, lines: usize) {
        self.pending_space = false;
        let trimmed = self.s.trim_end_matches([' ', '\t']).len();
        self.s.truncate(trimmed);
        if self.s.is_empty() {
            return;
        }
        let have = self.s.len() - self.s.trim_end_matches('\n').len();
        for _ in have..lines {
            self.s.push('\n');
        }
    }

    /// Appends ` <href>` after a link whose text is not already its target.
    fn link_target(&mut self, href: &str, start: usize) {
        let href = href.trim();
        let text = self.s.get(start..).unwrap_or("").trim();
        let shown = href.strip_prefix("mailto:").unwrap_or(href);
        let worth_showing = !href.is_empty()
            && !href.starts_with('#')
            && !href.to_ascii_lowercase().starts_with("javascript:");
        if worth_showing && text != href && text != shown {
            self.push_str(&format!(" <{shown}>"));
        }
    }

    fn finish(self) -> String {
        let lines: Vec<&str> = self.s.lines().map(str::trim_end).collect();
        let mut text = lines.join("\n").trim_matches('\n').to_string();
        text.push('\n');
        if text == "\n" { String::new() } else { text }
    }
}

enum Scan {
    /// A tag and its length in bytes.
    Tag(Tag, usize),
    /// Not a tag (`a < b`): text.
    Text,
    /// A tag start never closed before the end of the input.
    Unclosed,
}

/// A start or end tag, with the two attributes the rendering uses.
struct Tag {
    name: String,
    closing: bool,
    self_closing: bool,
    href: Option<String>,
    alt: Option<String>,
}

impl Tag {
    /// Parses the tag at the start of `s`.
    fn parse(s: &str) -> Scan {
        let Some(body) = s.strip_prefix('<') else {
            return Scan::Text;
        };
        let (closing, body) = match body.strip_prefix('/') {
            Some(rest) => (true, rest),
            None => (false, body),
        };
        let Some(first) = body.chars().next() else {
            return Scan::Text;
        };
        if !(first.is_ascii_alphabetic() || (!closing && (first == '!' || first == '?'))) {
            return Scan::Text;
        }
        // Find the closing '>' outside quoted attribute values.
        let mut quote: Option<char> = None;
        let mut end = None;
        for (at, c) in body.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '>') => {
                    end = Some(at);
                    break;
                }
                _ => {}
            }
        }
        let Some(end) = end else {
            return Scan::Unclosed;
        };
        let inner = &body[..end];
        let name_len = inner
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(inner.len());
        let tag = Tag {
            name: inner[..name_len].to_ascii_lowercase(),
            closing,
            self_closing: inner.ends_with('/'),
            href: attribute(&inner[name_len..], "href"),
            alt: attribute(&inner[name_len..], "alt"),
        };
        Scan::Tag(tag, s.len() - body.len() + end + 1)
    }
}

/// The value of attribute `name` (quoted or not), entities decoded.
fn attribute(attrs: &str, name: &str) -> Option<String> {
    let lower = attrs.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower.get(from..)?.find(name) {
        let at = from + found;
        from = at + name.len();
        let before_ok = at == 0 || lower[..at].ends_with(|c: char| c.is_whitespace());
        let after = attrs[from..].trim_start();
        let Some(value) = after.strip_prefix('=').map(str::trim_start) else {
            continue;
        };
        if !before_ok {
            continue;
        }
        let raw = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value.split(char::is_whitespace).next().unwrap_or(""),
        };
        return Some(decode_entities(raw));
    }
    None
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(c) = s[i..].chars().next() {
        if c == '&' {
            let (decoded, len) = entity(&s[i..]);
            out.push_str(&decoded);
            i += len;
        } else {
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Decodes the entity at the start of `s` (which starts with `&`): the text and the bytes it
/// used. An unknown or unterminated one stays as written.
fn entity(s: &str) -> (String, usize) {
    let literal = ("&".to_string(), 1);
    // Entity names are short; looking further would make a text full of '&' quadratic.
    let after = &s[1..];
    let window = after
        .char_indices()
        .nth(32)
        .map_or(after, |(at, _)| &after[..at]);
    let Some(semi) = window.find(';') else {
        return literal;
    };
    let name = &s[1..1 + semi];
    let code = if let Some(num) = name.strip_prefix('#') {
        let parsed = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16),
            None => num.parse::<u32>(),
        };
        match parsed {
            // NUL and surrogates are not characters; show that something was there.
            Ok(n) => Some(
                char::from_u32(n)
                    .filter(|c| *c != '\0')
                    .unwrap_or('\u{FFFD}'),
            ),
            Err(_) => None,
        }
    } else {
        named(name)
    };
    match code {
        Some(c) => (c.to_string(), semi + 2),
        None => literal,
    }
}

fn named(name: &str) -> Option<char> {
    Some(match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "shy" => '\u{ad}',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "lsquo" => '‘',
        "rsquo" => '’',
        "sbquo" => '‚',
        "ldquo" => '“',
        "rdquo" => '”',
        "bdquo" => '„',
        "laquo" => '«',
        "raquo" => '»',
        "bull" => '•',
        "middot" => '·',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "cent" => '¢',
        "sect" => '§',
        "para" => '¶',
        "deg" => '°',
        "plusmn" => '±',
        "times" => '×',
        "divide" => '÷',
        "larr" => '←',
        "rarr" => '→',
        "uarr" => '↑',
        "darr" => '↓',
        "harr" => '↔',
        "zwsp" | "ZeroWidthSpace" => '\u{200b}',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::to_text;

    #[test]
    fn paragraphs_lists_and_entities() {
        let html = "<html><head><title>t</title><style>p{}</style></head><body>\
                    <p>Hello&nbsp;<b>team</b>,</p><p>a &lt; b &amp;&amp; c &#x2019; &#8212;</p>\
                    <ul><li>one</li><li>two</li></ul>done<br>next</body></html>";
        assert_eq!(
            to_text(html),
            "Hello team,\n\na < b && c ’ —\n\n- one\n- two\ndone\nnext\n"
        );
    }

    #[test]
    fn scripts_comments_and_links() {
        let html = "<!-- hidden --><script>var x = '<p>no</p>';</script>\
                    <a href=\"https://ex.org/?a=1&amp;b=2\">proof</a> and \
                    <a href='https://ex.org/'>https://ex.org/</a> \
                    <a href=\"mailto:ada@example.net\">ada@example.net</a>";
        assert_eq!(
            to_text(html),
            "proof <https://ex.org/?a=1&b=2> and https://ex.org/ ada@example.net\n"
        );
    }

    #[test]
    fn hostile_html_takes_linear_time() {
        // Unclosed tags and unclosed quotes, a million times: must finish at once.
        let html = "<a x=\">\"<b ".repeat(200_000) + &"&amp".repeat(200_000);
        let text = to_text(&html);
        assert!(text.len() > 1_000_000);
    }

    #[test]
    fn broken_html_is_still_text() {
        assert_eq!(to_text("a < b and c > d"), "a < b and c > d\n");
        assert_eq!(to_text("<p>unclosed <b"), "unclosed <b\n");
        assert_eq!(
            to_text("&unknown; &amp &#xZZ; &#0;"),
            "&unknown; &amp &#xZZ; \u{FFFD}\n"
        );
        assert_eq!(to_text("<!-- never closed"), "");
        assert_eq!(to_text("<p>a<b c=\"d>e</p>"), "a<b c=\"d>e</p>\n");
        assert_eq!(to_text(""), "");
        assert_eq!(to_text("<pre>  keep\n   this</pre>"), "  keep\n   this\n");
    }
}
