//! The configuration file `embargo init` writes: every section and setting, the optional
//! ones commented out with an example value, so that an operator sees what can be set.

/// The file `embargo init` writes: every setting, commented, so an operator sees what
/// can be changed.
pub fn initial_file(organization: &str, listen: &str, database_url: &str) -> String {
    let org = toml::Value::String(organization.to_string());
    let listen = toml::Value::String(listen.to_string());
    let database = toml::Value::String(database_url.to_string());
    format!(
        "# embargo configuration. Environment variables EMBARGO_* and command-line flags\n\
         # override these settings.\n\n\
         # The organization whose security policy this installation runs.\n\
         organization = {org}\n\n\
         # Where the web app listens.\n\
         listen = {listen}\n\n\
         # Where people reach it (links in pages and e-mails, security.txt). Behind a\n\
         # reverse proxy, the public https:// address.\n\
         # public_url = \"https://security.example.org\"\n\n\
         # The database: a SQLite file relative to this directory (sqlite://embargo.db), or\n\
         # postgres://user:password@host:port/database for several instances.\n\
         database_url = {database}\n\n\
         # Log filter (tracing's env-filter syntax), e.g. \"info\" or \"embargo=debug\".\n\
         log = \"info\"\n\n\
         # Requests served at once; more are answered 503 with Retry-After (load shedding).\n\
         # max_in_flight = 256\n\n\
         # Memory for the OSV query's documents between queries (MiB). Answers from a\n\
         # history larger than this are partly read from the database again.\n\
         # osv_documents_mib = 10\n\n\
         # The policy's clocks, in days.\n\
         [policy]\n\
         acknowledge_within_days = 7\n\
         disclose_within_days = 90\n\n\
         # How reports come in.\n\
         [intake]\n\
         # contact_email = \"security@example.org\"\n\
         # Where the organization's security policy is published (default: the home page).\n\
         # policy_url = \"https://example.org/security-policy\"\n\
         preferred_languages = [\"en\"]\n\
         reports_per_hour = 10\n\
         # Behind a reverse proxy: its addresses or networks, whose X-Forwarded-For counts.\n\
         # trusted_proxies = [\"127.0.0.1\"]\n\
         # Every file on one case together (MiB), and a reporter's messages per case and hour.\n\
         attachment_quota_mib = 100\n\
         reporter_posts_per_hour = 30\n\
         # With several projects: the one reports arriving by e-mail are filed under.\n\
         # email_project = \"infra\"\n\
         # GitHub private vulnerability reports (the webhook is off without a secret).\n\
         # github_webhook_secret = \"...\"\n\n\
         # The security team's OpenPGP key (files relative to this directory).\n\
         # [openpgp]\n\
         # public_key_file = \"team-public.asc\"\n\
         # secret_key_file = \"team-secret.asc\"\n\
         # passphrase = \"...\"\n\n\
         # The job runner: how long a claimed job is its worker's before another\n\
         # instance sharing the database may take it over (a job may run for half of\n\
         # it), and after how long without a tick /healthz reports the runner stalled.\n\
         # [worker]\n\
         # lease_seconds = 300\n\
         # stale_after_seconds = 180\n\n\
         # Outgoing mail (notifications wait in the queue until this is set).\n\
         # [smtp]\n\
         # host = \"smtp.example.org\"\n\
         # port = 587\n\
         # security = \"starttls\"\n\
         # username = \"security@example.org\"\n\
         # password = \"...\"\n\
         # from = \"Example Org security <security@example.org>\"\n\
         # team_address = \"security-team@example.org\"\n\n\
         # CVE Services, if the organization is a CNA: ids are reserved from the admin\n\
         # page or `embargo cve reserve`, and each record is published with its advisory.\n\
         # [cve_services]\n\
         # url = \"https://cveawg.mitre.org/api\"\n\
         # short_name = \"example\"\n\
         # user = \"security@example.org\"\n\
         # api_key_file = \"cve-api-key\"\n\n\
         # Prometheus metrics for operators (off without this section): on an address of\n\
         # its own, and/or on the main one with a bearer token (a file holding it alone).\n\
         # [metrics]\n\
         # listen = \"127.0.0.1:9464\"\n\
         # token_file = \"metrics-token\"\n\n\
         # How published advisories are named (PREFIX-YYYY-NNNN), and, for a CNA, its\n\
         # organization id (a version-4 UUID) and short name: CVE records are exported then.\n\
         # [publication]\n\
         # id_prefix = \"EMBARGO\"\n\
         # cna_org_id = \"b3476cb9-2e3d-41a6-98d0-0f47421a65b6\"\n\
         # cna_short_name = \"example\"\n\n\
         # GitHub: draft advisories, collaborators, private forks, CVE requests, publication.\n\
         # As a GitHub App (its id and private key), or with a token in a file of its own.\n\
         # [github]\n\
         # app_id = \"123456\"\n\
         # private_key_file = \"github-app.pem\"\n\
         # token_file = \"github-token\"\n\
         # api_url = \"https://api.github.com\"\n\
         # git_url = \"https://github.com\"\n\
         # An issue per accepted case in a private tracking repository (true: with the\n\
         # report's text), and a private repository where forks' branches run CI.\n\
         # tracking_repository = \"example-org/security-tracking\"\n\
         # tracking_report_text = false\n\
         # ci_repository = \"example-org/embargo-ci\"\n\
         # ci_workflow = \"ci.yml\"\n\n\
         # The core team's chat room (Matrix): the team's notices (references, links, dates;\n\
         # never report text).\n\
         # [matrix]\n\
         # homeserver = \"https://matrix.example.org\"\n\
         # room_id = \"!room:example.org\"\n\
         # access_token = \"...\"\n\n\
         # Receivers of signed JSON events about cases (no report text); one section each.\n\
         # [[webhooks]]\n\
         # url = \"https://hooks.example.org/embargo\"\n\
         # secret = \"...\"\n"
    )
}

#[cfg(test)]
mod tests {
    use crate::config::FileConfig;

    /// A commented setting (`# key = value`, `# [section]`, `# [[webhooks]]`), not prose.
    fn setting(line: &str) -> Option<&str> {
        let rest = line.strip_prefix("# ")?;
        let key = rest.split(" = ").next().unwrap_or("");
        let is_key = !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        (rest.starts_with('[') || (is_key && rest.contains(" = "))).then_some(rest)
    }

    #[test]
    fn every_section_is_written_and_reads_back_once_uncommented() {
        let file = super::initial_file("Example Org", "127.0.0.1:8080", "sqlite://embargo.db");
        let uncommented: String = file
            .lines()
            .map(|l| setting(l).unwrap_or(l))
            .map(|l| format!("{l}\n"))
            .collect();
        // deny_unknown_fields: a misspelt key would be refused here.
        let parsed: FileConfig = toml::from_str(&uncommented).unwrap();
        assert!(parsed.public_url.is_some() && parsed.max_in_flight.is_some());
        assert_eq!(
            parsed.osv_documents_mib,
            Some(crate::config::DEFAULT_OSV_DOCUMENTS_MIB),
            "the file's example is the default"
        );

        assert!(parsed.policy.is_some() && parsed.intake.is_some());
        assert!(parsed.openpgp.is_some() && parsed.worker.is_some());
        assert!(parsed.smtp.is_some() && parsed.cve_services.is_some());
        assert!(parsed.metrics.is_some() && parsed.publication.is_some());
        assert!(parsed.github.is_some() && parsed.matrix.is_some());
        assert_eq!(parsed.webhooks.len(), 1);
        let intake = parsed.intake.unwrap();
        assert!(intake.policy_url.is_some() && intake.email_project.is_some());
        assert!(intake.github_webhook_secret.is_some() && !intake.trusted_proxies.is_empty());
        let github = parsed.github.unwrap();
        assert!(github.tracking_repository.is_some() && github.ci_workflow.is_some());
        // As written, the file is a working minimal configuration.
        let minimal: FileConfig = toml::from_str(&file).unwrap();
        assert!(minimal.smtp.is_none() && minimal.github.is_none());
    }
}
