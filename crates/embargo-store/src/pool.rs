//! The CNA's pool of reserved CVE ids, and teams of people.

use embargo_core::{CaseId, CveId, UserId};
use jiff::Timestamp;
use sqlx::Row;

use crate::codec::{parse, parse_opt, ts};
use crate::error::{StoreError, unique_as};
use crate::{Store, Tx};

/// One reserved id and the case it went to, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PooledCve {
    pub cve: CveId,
    pub case_id: Option<CaseId>,
}

/// A team and its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub members: Vec<UserId>,
}

impl Tx {
    /// Adds reserved ids; ids already in the pool are skipped. Returns how many were new.
    pub async fn add_cve_ids(&mut self, ids: &[CveId], now: Timestamp) -> Result<u64, StoreError> {
        let mut added = 0;
        for id in ids {
            added += sqlx::query(
                "INSERT INTO cve_pool (cve_id, added_at) VALUES ($1, $2) ON CONFLICT (cve_id) DO NOTHING",
            )
            .bind(id.as_ref())
            .bind(ts(now))
            .execute(self.conn())
            .await?
            .rows_affected();
        }
        Ok(added)
    }

    /// The case's pool id, taking the oldest free one if it has none yet; `None` when the
    /// pool is empty.
    pub async fn take_cve(
        &mut self,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<Option<CveId>, StoreError> {
        let mine: Option<String> =
            sqlx::query_scalar("SELECT cve_id FROM cve_pool WHERE case_id = $1")
                .bind(case_id.to_string())
                .fetch_optional(self.conn())
                .await?;
        if mine.is_some() {
            return parse_opt(mine);
        }
        let taken: Option<String> = sqlx::query_scalar(
            // `case_id IS NULL` again outside: two concurrent takers on a server that does
            // not serialize writers must not both get the same id.
            "UPDATE cve_pool SET case_id = $1, assigned_at = $2 WHERE case_id IS NULL AND cve_id = \
             (SELECT cve_id FROM cve_pool WHERE case_id IS NULL ORDER BY added_at, cve_id LIMIT 1) \
             RETURNING cve_id",
        )
        .bind(case_id.to_string())
        .bind(ts(now))
        .fetch_optional(self.conn())
        .await?;
        parse_opt(taken)
    }

    pub async fn create_team(
        &mut self,
        id: &str,
        name: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO teams (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(name)
            .bind(ts(now))
            .execute(self.conn())
            .await
            .map_err(unique_as(&format!("a team named {name:?} exists already")))?;
        Ok(())
    }

    pub async fn add_team_member(&mut self, team: &str, user: UserId) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(team)
        .bind(user.to_string())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn team_in(&mut self, id: &str) -> Result<Team, StoreError> {
        let name: String = sqlx::query_scalar("SELECT name FROM teams WHERE id = $1")
            .bind(id)
            .fetch_one(self.conn())
            .await?;
        let members: Vec<String> = sqlx::query_scalar(
            "SELECT user_id FROM team_members WHERE team_id = $1 ORDER BY user_id",
        )
        .bind(id)
        .fetch_all(self.conn())
        .await?;
        Ok(Team {
            id: id.to_string(),
            name,
            members: members.iter().map(|m| parse(m)).collect::<Result<_, _>>()?,
        })
    }
}

impl Store {
    pub async fn cve_pool(&self) -> Result<Vec<PooledCve>, StoreError> {
        sqlx::query("SELECT cve_id, case_id FROM cve_pool ORDER BY added_at, cve_id")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(PooledCve {
                    cve: parse(&r.try_get::<String, _>(0)?)?,
                    case_id: parse_opt(r.try_get(1)?)?,
                })
            })
            .collect()
    }

    pub async fn teams(&self) -> Result<Vec<Team>, StoreError> {
        let rows = sqlx::query(
            "SELECT t.id, t.name, m.user_id FROM teams t LEFT JOIN team_members m ON m.team_id = t.id \
             ORDER BY t.name, m.user_id",
        )
        .fetch_all(self.pool())
        .await?;
        let mut teams: Vec<Team> = Vec::new();
        for r in &rows {
            let id: String = r.try_get(0)?;
            if teams.last().is_none_or(|t| t.id != id) {
                teams.push(Team {
                    id: id.clone(),
                    name: r.try_get(1)?,
                    members: Vec::new(),
                });
            }
            if let (Some(member), Some(team)) =
                (r.try_get::<Option<String>, _>(2)?, teams.last_mut())
            {
                team.members.push(parse(&member)?);
            }
        }
        Ok(teams)
    }
}
