//! A read that concurrent callers share without ever seeing a value older than their own
//! arrival. A caller takes the result of a read that *started* after it arrived, or makes
//! one; reads happen one at a time, so however many callers arrive together, each read
//! answers all who arrived before it started. Anything committed before a caller arrived
//! is in what it gets, exactly as if it had read alone.
//!
//! Made for the publications' generation, which every OSV query reads: 64 concurrent
//! queries made 64 concurrent reads, each holding one of the pool's few connections.

use std::future::Future;
use std::time::Instant;

use tokio::sync::Mutex;

#[derive(Debug, Default)]
pub(crate) struct SharedRead<T> {
    /// The last value read and when its read started. Held during a read: the callers
    /// arriving meanwhile queue in order (tokio's mutex is fair) and take the next one.
    last: Mutex<Option<(Instant, T)>>,
}

impl<T: Clone> SharedRead<T> {
    /// A value read after this call began: a newer caller's read, or `read` now. A read
    /// that fails is not kept (the next caller reads again), nor is one given up on.
    pub(crate) async fn get<F, Fut, E>(&self, read: F) -> Result<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let arrived = Instant::now();
        let mut last = self.last.lock().await;
        if let Some((started, value)) = last.as_ref()
            && *started >= arrived
        {
            return Ok(value.clone());
        }
        let started = Instant::now();
        let value = read().await?;
        *last = Some((started, value.clone()));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    use super::SharedRead;

    #[tokio::test]
    async fn a_caller_never_gets_a_value_read_before_it_arrived() {
        let shared = SharedRead::<i64>::default();
        let source = AtomicI64::new(1);
        let read = || async { Ok::<_, ()>(source.load(Ordering::SeqCst)) };
        assert_eq!(shared.get(read).await, Ok(1));
        // Changed after that read: the next caller arrives later and must see it.
        source.store(2, Ordering::SeqCst);
        assert_eq!(shared.get(read).await, Ok(2));
    }

    #[tokio::test]
    async fn callers_arriving_during_a_read_share_the_next_one() {
        let shared = Arc::new(SharedRead::<i64>::default());
        let reads = Arc::new(AtomicI64::new(0));
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        // The first read stays open until released; 10 callers arrive meanwhile.
        let first = {
            let (shared, reads) = (shared.clone(), reads.clone());
            tokio::spawn(async move {
                shared
                    .get(|| async {
                        let _ = released.await;
                        Ok::<_, ()>(reads.fetch_add(1, Ordering::SeqCst) + 1)
                    })
                    .await
            })
        };
        tokio::task::yield_now().await;
        let waiting: Vec<_> = (0..10)
            .map(|_| {
                let (shared, reads) = (shared.clone(), reads.clone());
                tokio::spawn(async move {
                    shared
                        .get(|| async { Ok::<_, ()>(reads.fetch_add(1, Ordering::SeqCst) + 1) })
                        .await
                })
            })
            .collect();
        tokio::task::yield_now().await;
        let _ = release.send(());
        assert_eq!(first.await.ok(), Some(Ok(1)));
        for caller in waiting {
            // None of them may take the first read (it started before they arrived).
            assert_eq!(caller.await.ok(), Some(Ok(2)));
        }
        assert_eq!(
            reads.load(Ordering::SeqCst),
            2,
            "one read for the ten of them"
        );
    }
}
