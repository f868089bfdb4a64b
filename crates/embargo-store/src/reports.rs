//! What reporters send. Private forever; the reporter reaches it by a secret link whose
//! SHA-256 is stored here (the link itself is never stored).

use embargo_core::{CaseId, Channel, CreditPreference, Email, Private, ProjectSlug, ReportContent};
use jiff::Timestamp;
use sqlx::Row;

use crate::codec::{flag, from_ts, parse, ts};
use crate::error::{StoreError, unique_as};
use crate::rows::Rows;
use crate::{Store, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReport {
    pub case_id: CaseId,
    pub channel: Channel,
    pub reply_token: Option<String>,
    pub external_ref: Option<String>,
    pub content: Private<ReportContent>,
    pub received_at: Timestamp,
}

/// A report about to be filed.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub case_id: CaseId,
    pub channel: Channel,
    pub content: Private<ReportContent>,
    /// SHA-256 of the reporter's secret link.
    pub portal_token_hash: String,
    pub reply_token: String,
    /// e.g. `github:GHSA-xxxx-xxxx-xxxx` for a forge import.
    pub external_ref: Option<String>,
    pub received_at: Timestamp,
}

/// The columns a new report fills, in the order `insert_reports` gives them.
const REPORT_COLUMNS: &str = "case_id, channel, title, description, affected_versions, \
    reproduction, impact, already_public, exploited, reporter_name, reporter_email, \
    credit_kind, credit_value, openpgp_key, portal_token_hash, received_at, reply_token, \
    external_ref, portal_issued_at, reply_token_hash";

impl Tx {
    pub async fn insert_report(&mut self, r: &NewReport) -> Result<(), StoreError> {
        self.insert_reports(std::slice::from_ref(r)).await
    }

    /// Stores reports in one statement.
    pub async fn insert_reports(&mut self, reports: &[NewReport]) -> Result<(), StoreError> {
        if reports.is_empty() {
            return Ok(());
        }
        let mut rows = Rows::new(self.backend, REPORT_COLUMNS, reports.len());
        for r in reports {
            let c = r.content.reveal();
            // Sealed for the mail that carries it; found again by its hash.
            let sealed = self.sealer.seal(
                &r.reply_token,
                &format!("reports.reply_token:{}", r.case_id),
            )?;
            rows.push(vec![
                r.case_id.to_string().into(),
                r.channel.name().into(),
                c.title.clone().into(),
                c.description.clone().into(),
                c.affected_versions.clone().into(),
                c.reproduction.clone().into(),
                c.impact.clone().into(),
                flag(c.already_public).into(),
                flag(c.exploited).into(),
                c.reporter_name.clone().into(),
                c.reporter_email
                    .as_ref()
                    .map(|e| AsRef::<str>::as_ref(e).to_string())
                    .into(),
                c.credit.kind().into(),
                c.credit.value().to_string().into(),
                c.openpgp_key.clone().into(),
                r.portal_token_hash.clone().into(),
                ts(r.received_at).into(),
                sealed.into(),
                r.external_ref.clone().into(),
                ts(r.received_at).into(),
                crate::token_keys::reply_token_key(&r.reply_token).into(),
            ])?;
        }
        rows.insert_into(self.conn(), "reports", &[])
            .await
            .map_err(unique_as("this report was already filed"))?;
        Ok(())
    }

    /// Replaces the reporter's secret link: the old one, and every extra link mailed on
    /// request, stop working at once (the reporter's answer to a leaked link).
    pub async fn rotate_portal_token(
        &mut self,
        case_id: CaseId,
        new_hash: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM portal_links WHERE case_id = $1")
            .bind(case_id.to_string())
            .execute(self.conn())
            .await?;
        let done = sqlx::query(
            "UPDATE reports SET portal_token_hash = $2, portal_issued_at = $3 WHERE case_id = $1",
        )
        .bind(case_id.to_string())
        .bind(new_hash)
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// Adds a link to the reporter's portal (mailed on request); their other links keep
    /// working.
    pub async fn add_portal_link(
        &mut self,
        case_id: CaseId,
        hash: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO portal_links (token_hash, case_id, issued_at) VALUES ($1, $2, $3)",
        )
        .bind(hash)
        .bind(case_id.to_string())
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Changes how the reporter wants to be credited.
    pub async fn set_credit(
        &mut self,
        case_id: CaseId,
        credit: &CreditPreference,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE reports SET credit_kind = $2, credit_value = $3 WHERE case_id = $1")
            .bind(case_id.to_string())
            .bind(credit.kind())
            .bind(credit.value())
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

impl Tx {
    /// The reporter's credit choice and given name: the only report fields that may become
    /// public (on the advisory, as they chose).
    pub async fn reporter_credit_in(
        &mut self,
        case_id: CaseId,
    ) -> Result<(CreditPreference, String), StoreError> {
        let r = sqlx::query(
            "SELECT credit_kind, credit_value, reporter_name FROM reports WHERE case_id = $1",
        )
        .bind(case_id.to_string())
        .fetch_one(self.conn())
        .await?;
        let credit = CreditPreference::from_parts(
            &r.try_get::<String, _>("credit_kind")?,
            &r.try_get::<String, _>("credit_value")?,
        )?;
        Ok((credit, r.try_get("reporter_name")?))
    }
}

impl Store {
    pub async fn report(&self, case_id: CaseId) -> Result<StoredReport, StoreError> {
        let r = sqlx::query(
            "SELECT r.channel, c.project, r.title, r.description, r.affected_versions, r.reproduction, r.impact, \
             r.already_public, r.exploited, r.reporter_name, r.reporter_email, r.credit_kind, r.credit_value, \
             r.openpgp_key, r.received_at, r.reply_token, r.external_ref FROM reports r JOIN cases c ON c.id = r.case_id WHERE r.case_id = $1",
        )
        .bind(case_id.to_string())
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        let email: Option<String> = r.try_get("reporter_email")?;
        let content = ReportContent {
            project: ProjectSlug::parse(&r.try_get::<String, _>("project")?)?,
            title: r.try_get("title")?,
            description: r.try_get("description")?,
            affected_versions: r.try_get("affected_versions")?,
            reproduction: r.try_get("reproduction")?,
            impact: r.try_get("impact")?,
            already_public: r.try_get::<i64, _>("already_public")? != 0,
            exploited: r.try_get::<i64, _>("exploited")? != 0,
            reporter_name: r.try_get("reporter_name")?,
            reporter_email: email.as_deref().map(Email::parse).transpose()?,
            credit: CreditPreference::from_parts(
                &r.try_get::<String, _>("credit_kind")?,
                &r.try_get::<String, _>("credit_value")?,
            )?,
            openpgp_key: r.try_get("openpgp_key")?,
        };
        Ok(StoredReport {
            case_id,
            channel: Channel::parse(&r.try_get::<String, _>("channel")?)?,
            reply_token: self.sealer.open_opt(
                r.try_get("reply_token")?,
                &format!("reports.reply_token:{case_id}"),
            )?,
            external_ref: r.try_get("external_ref")?,
            content: Private::new(content),
            received_at: from_ts(r.try_get("received_at")?)?,
        })
    }

    /// Cases whose reporter gave this address, newest first.
    pub async fn cases_reported_by(&self, email: &Email) -> Result<Vec<CaseId>, StoreError> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT case_id FROM reports WHERE lower(reporter_email) = lower($1) ORDER BY received_at DESC",
        )
        .bind(email.as_ref())
        .fetch_all(self.pool())
        .await?;
        ids.iter().map(|s| parse(s)).collect()
    }

    /// Whether `hash` is of a link that was mailed to the reporter's address (on request,
    /// or for a report that arrived by e-mail), not the one shown when the report was filed.
    pub async fn is_mailed_portal_link(&self, hash: &str) -> Result<bool, StoreError> {
        let found: Option<String> =
            sqlx::query_scalar("SELECT case_id FROM portal_links WHERE token_hash = $1")
                .bind(hash)
                .fetch_optional(self.pool())
                .await?;
        Ok(found.is_some())
    }

    /// The case an e-mail reply token belongs to.
    pub async fn case_by_reply_token(&self, token: &str) -> Result<CaseId, StoreError> {
        let id: String =
            sqlx::query_scalar("SELECT case_id FROM reports WHERE reply_token_hash = $1")
                .bind(crate::token_keys::reply_token_key(token))
                .fetch_optional(self.pool())
                .await?
                .ok_or(StoreError::NotFound)?;
        parse(&id)
    }

    /// The case an imported report (e.g. a GitHub advisory) was filed as.
    pub async fn case_by_external_ref(&self, external_ref: &str) -> Result<CaseId, StoreError> {
        let id: String = sqlx::query_scalar("SELECT case_id FROM reports WHERE external_ref = $1")
            .bind(external_ref)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        parse(&id)
    }

    /// The case a reporter's secret link opens, by the link's hash: the link given at
    /// filing (or its replacement), or one mailed on request.
    pub async fn case_by_portal_token_hash(&self, hash: &str) -> Result<CaseId, StoreError> {
        let id: String = sqlx::query_scalar(
            "SELECT case_id FROM reports WHERE portal_token_hash = $1 \
             UNION ALL SELECT case_id FROM portal_links WHERE token_hash = $1",
        )
        .bind(hash)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        parse(&id)
    }
}
