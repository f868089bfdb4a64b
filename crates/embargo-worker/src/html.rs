//! The HTML alternative of a plain-text mail: the text is Markdown (messages to reporters
//! are written in Markdown), rendered with raw HTML shown as text and only http(s) and
//! mailto links kept, so nothing anyone typed becomes markup or a script in a mail client.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

/// A complete, self-contained HTML document for `text`.
pub fn render(text: &str) -> String {
    let mut dropped_links = 0usize;
    let events = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH).filter_map(|e| match e {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Link { dest_url, .. }) if !safe_url(&dest_url) => {
            dropped_links += 1;
            None
        }
        Event::End(TagEnd::Link) if dropped_links > 0 => {
            dropped_links -= 1;
            None
        }
        Event::Start(Tag::Image { dest_url, .. }) => {
            Some(Event::Text(CowStr::from(format!("[image: {dest_url}]"))))
        }
        Event::End(TagEnd::Image) => None,
        other => Some(other),
    });
    let mut body = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut body, events);
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"></head>\n<body style=\"font-family: sans-serif; line-height: 1.5\">\n{body}</body></html>\n"
    )
}

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["https://", "http://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s))
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_becomes_html_and_typed_markup_stays_text() {
        let html = render(
            "Hello **there**.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) [ok](https://example.org)",
        );
        assert!(html.contains("<strong>there</strong>"));
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
        assert!(!html.contains("javascript:"));
        assert!(html.contains("<a href=\"https://example.org\">ok</a>"));
    }
}
