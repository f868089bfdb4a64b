//! Markdown from reporters and the team, rendered to HTML and then sanitized: whatever
//! anyone typed, the page gets no script, no event handler, no raw HTML that was not a
//! plain formatting element, and links that open without a referrer.

use pulldown_cmark::{Options, Parser, html};

/// Renders Markdown to safe HTML.
pub fn render(markdown: &str) -> String {
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .attribute_filter(|element, attribute, value| {
            // An image with a relative address makes the reader's browser fetch a page of
            // this site with their cookies (`![x](/portal/TOKEN)`); only absolute http(s)
            // images keep their source (and the CSP still keeps other sites' images out).
            let fetches = element == "img" && matches!(attribute, "src" | "srcset");
            let absolute = value.starts_with("https://") || value.starts_with("http://");
            if fetches && !absolute {
                None
            } else {
                Some(value.into())
            }
        })
        .clean(&unsafe_html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn formatting_survives() {
        assert_eq!(
            render("**bold** and `code`"),
            "<p><strong>bold</strong> and <code>code</code></p>\n"
        );
        assert!(render("```\nlet x = 1;\n```").contains("<pre><code>let x = 1;\n</code></pre>"));
    }

    #[test]
    fn scripts_and_handlers_do_not() {
        for evil in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<iframe src=https://evil.example></iframe>",
            "<svg onload=alert(1)>",
            "<style>body{display:none}</style>",
        ] {
            let out = render(evil);
            for bad in [
                "<script",
                "onerror",
                "javascript:",
                "<iframe",
                "onload",
                "<style",
            ] {
                assert!(!out.contains(bad), "{evil:?} rendered as {out:?}");
            }
        }
    }

    #[test]
    fn images_with_relative_addresses_fetch_nothing() {
        for planted in [
            "![x](/portal/0123456789abcdef)",
            "![x](portal/abc)",
            "![x](//evil.example/a.png)",
            "<img src=\"/portal/abc\">",
            "<img src=\"/cases/x/act\" srcset=\"/portal/abc 1x\">",
        ] {
            let out = render(planted);
            assert!(!out.contains("src="), "{planted:?} rendered as {out:?}");
        }
        assert!(
            render("![x](https://example.org/a.png)").contains("src=\"https://example.org/a.png\"")
        );
    }

    #[test]
    fn links_carry_no_referrer() {
        assert!(
            render("[docs](https://example.org)").contains("rel=\"noopener noreferrer nofollow\"")
        );
    }

    /// Whatever anyone types, the rendered HTML has no script, handler, frame, style or
    /// relative image, and rendering never panics (bounded fuzzing with a fixed seed).
    mod fuzz {
        use super::render;
        use proptest::prelude::*;

        fn pieces() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                Just("<script>alert(1)</script>".to_string()),
                Just("<img src=/portal/x onerror=alert(1)>".to_string()),
                Just("![a](/p)".to_string()),
                Just("[x](javascript:alert(1))".to_string()),
                Just("<a href=\"JaVaScRiPt:x\">y</a>".to_string()),
                Just("<svg/onload=alert(1)>".to_string()),
                Just("<iframe src=//e>".to_string()),
                Just("<style>*{}</style>".to_string()),
                Just("```\n<b>\n```".to_string()),
                Just("| a | b |\n|---|---|\n| <i> | `x` |".to_string()),
                Just("> quote\n- [ ] task".to_string()),
                Just("\u{0}\u{202e}\r\n".to_string()),
                "[ -~]{0,40}",
                any::<String>(),
            ];
            prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig {
                cases: 512,
                failure_persistence: None,
                rng_seed: proptest::test_runner::RngSeed::Fixed(20_261_130),
                ..ProptestConfig::default()
            })]

            #[test]
            fn nothing_typed_becomes_active_content(markdown in pieces()) {
                let out = render(&markdown).to_lowercase();
                // Typed markup may stay as text (`&lt;svg onload=...`); what matters is
                // the tags the browser sees.
                for tag in out.split('<').skip(1).map(|t| t.split('>').next().unwrap_or("")) {
                    for bad in ["script", "iframe", "style", "svg", "object", "embed"] {
                        prop_assert!(!tag.starts_with(bad), "{markdown:?} rendered as {out:?}");
                    }
                    for attribute in tag.split_whitespace().skip(1) {
                        prop_assert!(
                            !(attribute.starts_with("on") && attribute.contains('=')),
                            "{markdown:?} rendered as {out:?}"
                        );
                    }
                    prop_assert!(!tag.contains("javascript:"), "{markdown:?} rendered as {out:?}");
                    prop_assert!(!tag.contains("src=\"/"), "{markdown:?} rendered as {out:?}");
                }
            }
        }
    }
}
