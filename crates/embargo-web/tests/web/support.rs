//! Request helpers over the in-process router.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use embargo_app::Principal;
use embargo_testkit::TestApp;
use embargo_web::{Site, WebState, router};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Res {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }

    /// The `embargo_portal=...` pair of a Set-Cookie header, ready for a Cookie header.
    pub fn cookie(&self) -> String {
        self.header("set-cookie")
            .split(';')
            .next()
            .unwrap_or("")
            .to_string()
    }
}

pub struct Web {
    pub t: TestApp,
    pub state: WebState,
}

pub fn site() -> Site {
    Site {
        organization: "Example Org".into(),
        public_url: "http://embargo.test".into(),
        contact_email: Some("security@example.org".into()),
        preferred_languages: vec!["en".into()],
        reports_per_hour: 10,
        ..Site::default()
    }
}

impl Web {
    pub async fn new() -> Self {
        Self::with_site(site()).await
    }

    pub async fn with_site(site: Site) -> Self {
        let t = TestApp::new().await;
        let clock = t.clock.clone();
        let state = WebState::new(t.app.clone(), site, Arc::new(move || clock.now()));
        Self { t, state }
    }

    pub async fn send(&self, req: Request<Body>) -> Res {
        let res = router(self.state.clone()).oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Res {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Res {
        let mut req = Request::get(path);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    pub async fn post_form(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> Res {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut req =
            Request::post(path).header("content-type", "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// Posts the sign-in form as a browser does: the form (and its cookie) first, then the
    /// post with the form's CSRF token.
    pub async fn post_login(&self, fields: &[(&str, &str)]) -> Res {
        let form = self.get("/login", None).await;
        let cookie = form.cookie();
        assert!(cookie.starts_with("embargo_login="), "{cookie}");
        let csrf = form_values_csrf(&form.body);
        let mut fields = fields.to_vec();
        fields.push(("csrf", &csrf));
        self.post_form("/login", &fields, Some(&cookie)).await
    }

    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &[u8])],
        files: &[(&str, &str, &[u8])],
        cookie: Option<&str>,
    ) -> Res {
        let mut req = Request::post(path).header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        );
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        self.send(req.body(Body::from(multipart(fields, files))).unwrap())
            .await
    }

    pub async fn post_json(&self, path: &str, json: &str) -> Res {
        let req = Request::post(path)
            .header("content-type", "application/json")
            .body(Body::from(json.to_string()))
            .unwrap();
        self.send(req).await
    }

    pub async fn case_count(&self) -> usize {
        self.t.store.case_ids(None).await.unwrap().len()
    }
}

pub const BOUNDARY: &str = "----embargo-test-boundary";

pub fn multipart(fields: &[(&str, &[u8])], files: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let mut b = Vec::new();
    for (name, value) in fields {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n")
                .as_bytes(),
        );
        b.extend_from_slice(value);
        b.extend_from_slice(b"\r\n");
    }
    for (filename, ct, data) in files {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"{filename}\"\r\nContent-Type: {ct}\r\n\r\n").as_bytes(),
        );
        b.extend_from_slice(data);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The fields of a complete report form.
pub fn report_fields() -> Vec<(&'static str, &'static [u8])> {
    vec![
        ("project", b"infrastructure"),
        ("title", b"Token leak in the build bot"),
        ("description", b"The bot prints its **token** in CI logs."),
        ("affected_versions", b"all"),
        ("reproduction", b"Open any CI log."),
        ("impact", b"Anyone can push."),
        ("reporter_name", b"Rita Reporter"),
        ("reporter_email", b"rita@elsewhere.example"),
        ("credit_kind", b"name"),
    ]
}

/// The secret link on a "report received" page.
pub fn portal_link(body: &str) -> String {
    let start = body
        .find("http://embargo.test/portal/")
        .expect("a portal link on the page");
    body[start..].split('"').next().unwrap().to_string()
}

/// A JSON API call, with a bearer token if given.
pub async fn call(
    w: &Web,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Res {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    w.send(
        req.body(Body::from(body.unwrap_or("").to_string()))
            .unwrap(),
    )
    .await
}

pub fn json(res: &Res) -> serde_json::Value {
    serde_json::from_str(&res.body).unwrap_or_else(|_| panic!("not JSON: {}", res.body))
}

/// The password the page tests give people.
pub const PASSWORD: &str = "correct horse battery staple";

/// Signs in with the password form and returns the session cookie.
pub async fn sign_in(w: &Web, email: &str) -> String {
    let res = w
        .post_login(&[("email", email), ("password", PASSWORD), ("next", "/cases")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.header("location"), "/cases");
    let set = res.header("set-cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    res.cookie()
}

/// Everyone of the test app except the second developer can sign in with `PASSWORD`.
pub async fn with_passwords() -> Web {
    let w = Web::new().await;
    let p = w.t.people;
    for u in [
        p.coordinator,
        p.coordinator2,
        p.developer,
        p.outsider,
        p.admin,
    ] {
        w.t.app
            .set_password(Principal::Operator, u, PASSWORD, w.t.now())
            .await
            .unwrap();
    }
    w
}

/// The CSRF token and case version a page's forms carry.
pub fn form_values(body: &str) -> (String, String) {
    let grab = |name: &str| {
        let start = body
            .find(&format!("name=\"{name}\" value=\""))
            .unwrap_or_else(|| panic!("no {name} in the page"))
            + name.len()
            + 15;
        body[start..].split('"').next().unwrap().to_string()
    };
    (grab("csrf"), grab("version"))
}

/// The CSRF token a page's forms carry.
pub fn form_values_csrf(body: &str) -> String {
    let start = body.find("name=\"csrf\" value=\"").unwrap() + 19;
    body[start..].split('"').next().unwrap().to_string()
}

/// The text of `body` between `start` and the next `end`.
pub fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let i = body
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not in page"))
        + start.len();
    &body[i..i + body[i..].find(end).unwrap()]
}
