//! The Atom feed (RFC 4287) of published advisories, newest first.

use embargo_core::Publication;

use crate::Publisher;
use crate::osv::timestamp;

/// Where a page of the feed sits among the others (RFC 5005, paged feeds): the query
/// strings of this page and of its neighbours (`after=...`), `None` where there is none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedPage {
    pub this: Option<String>,
    pub newer: Option<String>,
    pub older: Option<String>,
}

/// The feed document; `publications` in the order to list them (newest first).
pub fn feed(publisher: &Publisher, publications: &[Publication]) -> String {
    feed_page(publisher, publications, &FeedPage::default())
}

/// One page of the feed, with RFC 5005's `first`, `previous` and `next` links.
pub fn feed_page(publisher: &Publisher, publications: &[Publication], page: &FeedPage) -> String {
    let url = format!("{}/advisories.atom", publisher.base_url);
    let at = |query: &Option<String>| match query {
        Some(q) => format!("{url}?{q}"),
        None => url.clone(),
    };
    let updated = publications
        .iter()
        .map(|p| p.modified)
        .max()
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), timestamp);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    push_element(&mut out, "  ", "id", &url);
    push_element(
        &mut out,
        "  ",
        "title",
        &format!("{} security advisories", publisher.name),
    );
    push_element(&mut out, "  ", "updated", &updated);
    out.push_str(&format!(
        "  <link rel=\"self\" href=\"{}\"/>\n",
        escape(&at(&page.this))
    ));
    if page.newer.is_some() || page.older.is_some() {
        out.push_str(&format!(
            "  <link rel=\"first\" href=\"{}\"/>\n",
            escape(&url)
        ));
    }
    if page.newer.is_some() {
        out.push_str(&format!(
            "  <link rel=\"previous\" href=\"{}\"/>\n",
            escape(&at(&page.newer))
        ));
    }
    if page.older.is_some() {
        out.push_str(&format!(
            "  <link rel=\"next\" href=\"{}\"/>\n",
            escape(&at(&page.older))
        ));
    }
    out.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}/advisories\"/>\n",
        escape(&publisher.base_url)
    ));
    out.push_str("  <author>\n");
    push_element(&mut out, "    ", "name", &publisher.name);
    out.push_str("  </author>\n");
    for p in publications {
        let page = publisher.advisory_url(&p.id);
        out.push_str("  <entry>\n");
        push_element(&mut out, "    ", "id", &page);
        let title = match &p.advisory.cve {
            Some(cve) => format!("{}: {} ({cve})", p.id, p.advisory.title),
            None => format!("{}: {}", p.id, p.advisory.title),
        };
        push_element(&mut out, "    ", "title", &title);
        push_element(&mut out, "    ", "published", &timestamp(p.published));
        push_element(&mut out, "    ", "updated", &timestamp(p.modified));
        out.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(&page)
        ));
        let mut summary = p.advisory.summary.clone();
        if let Some(s) = crate::cvss::headline(&p.advisory) {
            summary.push_str(&format!(
                " Severity: {} ({}).",
                s.severity.to_lowercase(),
                s.score
            ));
        }
        if !p.fix_available && !p.imported {
            summary.push(' ');
            summary.push_str(crate::text::NO_FIX_YET);
        }
        push_element(&mut out, "    ", "summary", summary.trim());
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

fn push_element(out: &mut String, indent: &str, name: &str, text: &str) {
    out.push_str(&format!("{indent}<{name}>{}</{name}>\n", escape(text)));
}

/// XML text and attribute escaping; control characters XML 1.0 forbids are dropped.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}
