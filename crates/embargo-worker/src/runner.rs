//! Keeping the runner alive whatever a job does: each job runs in a task of its own with a
//! time limit, so a panic or a hang inside one handler becomes that job's failure (retried,
//! then a dead letter) and the runner goes on with the next job; the runner's loop itself
//! runs under a supervisor that starts it again if it ever stops.

use std::future::Future;
use std::time::Duration;

use crate::failure::Failure;

/// Runs `handler` (one job's, or a digest's for several) in its own task, at most `limit`.
/// A panic comes back as a failure carrying the panic's message (kept in the job row,
/// which is private like the payload).
pub(crate) async fn isolated(
    kind: &str,
    limit: Duration,
    handler: impl Future<Output = Result<(), Failure>> + Send + 'static,
) -> Result<(), Failure> {
    let task = tokio::spawn(handler);
    let abort = task.abort_handle();
    match tokio::time::timeout(limit, task).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) if e.is_panic() => Err(Failure::temporary(format!(
            "the {kind} handler panicked: {}",
            panic_message(e.into_panic())
        ))),
        Ok(Err(e)) => Err(Failure::temporary(format!(
            "the {kind} handler was cancelled: {e}"
        ))),
        Err(_) => {
            abort.abort();
            Err(Failure::temporary(format!(
                "the {kind} handler took longer than {} s and was stopped",
                limit.as_secs()
            )))
        }
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_string()
    }
}

/// Runs the future `start()` makes until it returns, starting a new one whenever one
/// panics or is cancelled (after `pause`, calling `restarted` each time). Returns when a
/// run returns normally, which is how the runner stops when asked to.
pub async fn supervise<F, Fut>(mut start: F, pause: Duration, restarted: impl Fn(&str))
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    loop {
        match tokio::spawn(start()).await {
            Ok(()) => return,
            Err(e) => {
                let why = if e.is_panic() {
                    "panicked"
                } else {
                    "was cancelled"
                };
                // The panic's message may quote private data: the log gets the fact only.
                tracing::error!("the job runner {why}; starting it again");
                restarted(why);
                tokio::time::sleep(pause).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)] // test code
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A runner loop that panics twice is started again each time, and the supervisor
    /// returns once a run ends normally.
    #[tokio::test]
    async fn a_runner_that_panics_is_started_again() {
        let starts = Arc::new(AtomicU32::new(0));
        let restarts = Arc::new(AtomicU32::new(0));
        let s = starts.clone();
        let r = restarts.clone();
        supervise(
            move || {
                let n = s.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < 2 {
                        panic!("run {n} fails");
                    }
                }
            },
            Duration::from_millis(1),
            move |_| {
                r.fetch_add(1, Ordering::SeqCst);
            },
        )
        .await;
        assert_eq!(starts.load(Ordering::SeqCst), 3);
        assert_eq!(restarts.load(Ordering::SeqCst), 2);
    }
}
