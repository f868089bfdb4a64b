//! The installation's scope: the projects its policy covers.

use embargo_core::ProjectSlug;
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;

use crate::codec::ts;
use crate::error::{StoreError, unique_as};
use crate::{Store, Tx};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    pub slug: ProjectSlug,
    pub name: String,
    pub description: String,
    /// `owner/name` of each repository on a forge.
    pub repositories: Vec<String>,
}

impl Tx {
    pub async fn insert_project(&mut self, p: &Project, now: Timestamp) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO projects (slug, name, description, created_at, repositories) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(p.slug.as_ref())
        .bind(&p.name)
        .bind(&p.description)
        .bind(ts(now))
        .bind(p.repositories.join("\n"))
        .execute(self.conn())
        .await
        .map_err(unique_as("a project with this name already exists"))?;
        Ok(())
    }
}

impl Store {
    pub async fn projects(&self) -> Result<Vec<Project>, StoreError> {
        sqlx::query(
            "SELECT slug, name, description, repositories FROM projects ORDER BY name, slug",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(Project {
                slug: ProjectSlug::parse(&r.try_get::<String, _>("slug")?)?,
                name: r.try_get("name")?,
                description: r.try_get("description")?,
                repositories: r
                    .try_get::<String, _>("repositories")?
                    .lines()
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect(),
            })
        })
        .collect()
    }
}
