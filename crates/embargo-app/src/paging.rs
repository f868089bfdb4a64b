//! Pages of the published advisories, for every list that can grow (the public index, the
//! advisories API, the Atom feed): newest first, with opaque cursors to the pages just
//! newer and just older (keyset paging: no list stops silently at a limit any more).

use embargo_core::{Publication, ValueError};
use embargo_store::{PageCursor, PageFrom, PublicationFilter};

use crate::App;
use crate::error::AppError;

/// One page, with the cursors of its neighbours.
#[derive(Debug, Clone)]
pub struct PublicationPage {
    pub items: Vec<Publication>,
    /// `?before=` this for the page of newer advisories, if there is one.
    pub newer: Option<String>,
    /// `?after=` this for the page of older advisories, if there is one.
    pub older: Option<String>,
}

/// Which page a request asks for, by the cursors it carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// A cursor: the page just older than it.
    pub after: Option<String>,
    /// A cursor: the page just newer than it.
    pub before: Option<String>,
}

impl App {
    /// One page of at most `size` published advisories matching `filter`.
    pub async fn published_page(
        &self,
        filter: &PublicationFilter,
        request: &PageRequest,
        size: usize,
    ) -> Result<PublicationPage, AppError> {
        let from = match (&request.after, &request.before) {
            (Some(_), Some(_)) => {
                return Err(bad("gives both after and before: give one of them"));
            }
            (Some(c), None) => PageFrom::Older(decode(c)?),
            (None, Some(c)) => PageFrom::Newer(decode(c)?),
            (None, None) => PageFrom::Newest,
        };
        let limit = i64::try_from(size).unwrap_or(i64::MAX).saturating_add(1);
        let mut items = self.store.publications_page(filter, &from, limit).await?;
        let more = items.len() > size;
        let (newer, older) = match from {
            PageFrom::Newest => {
                items.truncate(size);
                (false, more)
            }
            // The cursor's own item is newer than this page.
            PageFrom::Older(_) => {
                items.truncate(size);
                (true, more)
            }
            // Fetched oldest-first then reversed: the extra one is the newest.
            PageFrom::Newer(_) => {
                if more {
                    items.remove(0);
                }
                (more, true)
            }
        };
        Ok(PublicationPage {
            newer: newer.then(|| items.first().map(encode)).flatten(),
            older: older.then(|| items.last().map(encode)).flatten(),
            items,
        })
    }
}

fn bad(why: &str) -> AppError {
    AppError::invalid(ValueError::new("page", why.to_string()))
}

/// `<publication time in microseconds>.<id>`, base64url: opaque, and stable while
/// advisories are added before it.
fn encode(p: &Publication) -> String {
    data_encoding::BASE64URL_NOPAD
        .encode(format!("{}.{}", p.published.as_microsecond(), p.id).as_bytes())
}

fn decode(cursor: &str) -> Result<PageCursor, AppError> {
    let text = data_encoding::BASE64URL_NOPAD
        .decode(cursor.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| bad("has a cursor this server did not give"))?;
    let (micros, id) = text
        .split_once('.')
        .ok_or_else(|| bad("has a cursor this server did not give"))?;
    let published = micros
        .parse::<i64>()
        .ok()
        .and_then(|m| jiff::Timestamp::from_microsecond(m).ok())
        .ok_or_else(|| bad("has a cursor this server did not give"))?;
    Ok(PageCursor {
        published,
        id: id.to_string(),
    })
}
