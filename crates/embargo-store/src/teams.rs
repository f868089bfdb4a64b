//! Teams: named groups of people, possibly from several organizations, added to a case's
//! Developers at once.

use embargo_core::UserId;
use jiff::Timestamp;
use sqlx::Row;

use crate::codec::{parse, ts};
use crate::error::{StoreError, unique_as};
use crate::{Store, Tx};

/// A team and its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub members: Vec<UserId>,
}

impl Tx {
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
    pub async fn teams(&self) -> Result<Vec<Team>, StoreError> {
        let rows = sqlx::query(
            "SELECT t.id, t.name, m.user_id FROM teams t LEFT JOIN team_members m ON m.team_id = t.id \
             ORDER BY t.name, m.user_id",
        )
        .fetch_all(self.pool())
        .await?;
        let mut teams: Vec<Team> = Vec::new();
        for r in &rows {
            let id: String = r.try_get("id")?;
            if teams.last().is_none_or(|t| t.id != id) {
                teams.push(Team {
                    id: id.clone(),
                    name: r.try_get("name")?,
                    members: Vec::new(),
                });
            }
            if let (Some(member), Some(team)) =
                (r.try_get::<Option<String>, _>("user_id")?, teams.last_mut())
            {
                team.members.push(parse(&member)?);
            }
        }
        Ok(teams)
    }
}
