//! Messages on a case: the thread with the reporter and the team's internal comments.

use embargo_core::{Author, CaseId, Message, MessageId, Private, Visibility};
use sqlx::Row;

use crate::codec::{from_ts, parse, parse_opt, ts};
use crate::error::StoreError;
use crate::{Store, Tx};

impl Tx {
    /// How many messages the reporter wrote on a case after `since`, and when the first of
    /// them was written (their rate limit, and when it lets up).
    pub async fn reporter_messages_since(
        &mut self,
        case_id: CaseId,
        since: jiff::Timestamp,
    ) -> Result<(i64, Option<jiff::Timestamp>), StoreError> {
        let row = sqlx::query(
            "SELECT count(*) AS n, MIN(created_at) AS first_at FROM messages \
             WHERE case_id = $1 AND author_kind = 'reporter' AND created_at > $2",
        )
        .bind(case_id.to_string())
        .bind(ts(since))
        .fetch_one(self.conn())
        .await?;
        let first: Option<i64> = row.try_get("first_at")?;
        Ok((row.try_get("n")?, first.map(from_ts).transpose()?))
    }

    pub async fn insert_message(&mut self, m: &Message) -> Result<(), StoreError> {
        let (kind, user) = match m.author {
            Author::Reporter => ("reporter", None),
            Author::User(u) => ("user", Some(u.to_string())),
            Author::System => ("system", None),
        };
        sqlx::query(
            "INSERT INTO messages (id, case_id, seq, author_kind, author_user, visibility, notice, body, created_at) \
             VALUES ($1, $2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE case_id = $2), \
             $3, $4, $5, $6, $7, $8)",
        )
        .bind(m.id.to_string())
        .bind(m.case_id.to_string())
        .bind(kind)
        .bind(user)
        .bind(match m.visibility {
            Visibility::Reporter => "reporter",
            Visibility::Internal => "internal",
        })
        .bind(m.notice.as_deref())
        .bind(m.body.reveal())
        .bind(ts(m.created_at))
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl Store {
    /// Messages of a case, oldest first; `reporter_only` leaves out internal comments
    /// (what the reporter's portal shows).
    pub async fn messages(
        &self,
        case_id: CaseId,
        reporter_only: bool,
    ) -> Result<Vec<Message>, StoreError> {
        self.messages_newest(case_id, reporter_only, None).await
    }

    /// The case's messages, oldest first; with `newest`, only that many of the latest (a
    /// page of a long conversation reads no more than it shows).
    pub async fn messages_newest(
        &self,
        case_id: CaseId,
        reporter_only: bool,
        newest: Option<usize>,
    ) -> Result<Vec<Message>, StoreError> {
        self.messages_before(case_id, reporter_only, None, newest)
            .await
    }

    /// Like [`Store::messages_newest`], among the messages older than `before` (a keyset
    /// page: found by the case's message order, whatever the page's depth).
    pub async fn messages_before(
        &self,
        case_id: CaseId,
        reporter_only: bool,
        before: Option<MessageId>,
        newest: Option<usize>,
    ) -> Result<Vec<Message>, StoreError> {
        let limit = newest.map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let rows = sqlx::query(
            "SELECT id, author_kind, author_user, visibility, notice, body, created_at FROM messages \
             WHERE case_id = $1 AND ($2 = 0 OR visibility = 'reporter') \
             AND ($3 IS NULL OR seq < (SELECT seq FROM messages WHERE case_id = $1 AND id = $3)) \
             ORDER BY seq DESC LIMIT $4",
        )
        .bind(case_id.to_string())
        .bind(i64::from(reporter_only))
        .bind(before.map(|m| m.to_string()))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .rev()
            .map(|r| {
                let author = match r.try_get::<String, _>("author_kind")?.as_str() {
                    "reporter" => Author::Reporter,
                    "user" => Author::User(
                        parse_opt(r.try_get("author_user")?)?
                            .ok_or_else(|| StoreError::Corrupt("message without author".into()))?,
                    ),
                    _ => Author::System,
                };
                Ok(Message {
                    id: parse(&r.try_get::<String, _>("id")?)?,
                    case_id,
                    author,
                    visibility: match r.try_get::<String, _>("visibility")?.as_str() {
                        "reporter" => Visibility::Reporter,
                        _ => Visibility::Internal,
                    },
                    notice: r.try_get("notice")?,
                    body: Private::new(r.try_get("body")?),
                    created_at: from_ts(r.try_get("created_at")?)?,
                })
            })
            .collect()
    }
}
