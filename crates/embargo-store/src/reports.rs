//! What reporters send. Private forever; the reporter reaches it by a secret link whose
//! SHA-256 is stored here (the link itself is never stored).

use embargo_core::{CaseId, Channel, CreditPreference, Email, Private, ProjectSlug, ReportContent};
use jiff::Timestamp;
use sqlx::Row;

use crate::codec::{flag, from_ts, parse, ts};
use crate::error::{StoreError, unique_as};
use crate::{Store, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReport {
    pub case_id: CaseId,
    pub channel: Channel,
    pub content: Private<ReportContent>,
    pub received_at: Timestamp,
}

impl Tx {
    pub async fn insert_report(
        &mut self,
        case_id: CaseId,
        channel: Channel,
        content: &Private<ReportContent>,
        portal_token_hash: &str,
        received_at: Timestamp,
    ) -> Result<(), StoreError> {
        let c = content.reveal();
        sqlx::query(
            "INSERT INTO reports (case_id, channel, title, description, affected_versions, reproduction, impact, \
             already_public, exploited, reporter_name, reporter_email, credit_kind, credit_value, openpgp_key, \
             portal_token_hash, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(case_id.to_string())
        .bind(channel.name())
        .bind(&c.title)
        .bind(&c.description)
        .bind(&c.affected_versions)
        .bind(&c.reproduction)
        .bind(&c.impact)
        .bind(flag(c.already_public))
        .bind(flag(c.exploited))
        .bind(&c.reporter_name)
        .bind(c.reporter_email.as_ref().map(|e| e.as_ref()))
        .bind(c.credit.kind())
        .bind(c.credit.value())
        .bind(c.openpgp_key.as_deref())
        .bind(portal_token_hash)
        .bind(ts(received_at))
        .execute(self.conn())
        .await
        .map_err(unique_as("this report was already filed"))?;
        Ok(())
    }
}

impl Store {
    pub async fn report(&self, case_id: CaseId) -> Result<StoredReport, StoreError> {
        let r = sqlx::query(
            "SELECT r.channel, c.project, r.title, r.description, r.affected_versions, r.reproduction, r.impact, \
             r.already_public, r.exploited, r.reporter_name, r.reporter_email, r.credit_kind, r.credit_value, \
             r.openpgp_key, r.received_at FROM reports r JOIN cases c ON c.id = r.case_id WHERE r.case_id = $1",
        )
        .bind(case_id.to_string())
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        let email: Option<String> = r.try_get(10)?;
        let content = ReportContent {
            project: ProjectSlug::parse(&r.try_get::<String, _>(1)?)?,
            title: r.try_get(2)?,
            description: r.try_get(3)?,
            affected_versions: r.try_get(4)?,
            reproduction: r.try_get(5)?,
            impact: r.try_get(6)?,
            already_public: r.try_get::<i64, _>(7)? != 0,
            exploited: r.try_get::<i64, _>(8)? != 0,
            reporter_name: r.try_get(9)?,
            reporter_email: email.as_deref().map(Email::parse).transpose()?,
            credit: CreditPreference::from_parts(
                &r.try_get::<String, _>(11)?,
                &r.try_get::<String, _>(12)?,
            )?,
            openpgp_key: r.try_get(13)?,
        };
        Ok(StoredReport {
            case_id,
            channel: Channel::parse(&r.try_get::<String, _>(0)?)?,
            content: Private::new(content),
            received_at: from_ts(r.try_get(14)?)?,
        })
    }

    /// The case a reporter's secret link opens, by the link's hash.
    pub async fn case_by_portal_token_hash(&self, hash: &str) -> Result<CaseId, StoreError> {
        let id: String =
            sqlx::query_scalar("SELECT case_id FROM reports WHERE portal_token_hash = $1")
                .bind(hash)
                .fetch_optional(self.pool())
                .await?
                .ok_or(StoreError::NotFound)?;
        parse(&id)
    }
}
