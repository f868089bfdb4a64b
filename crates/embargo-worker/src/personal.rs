//! Personal copies of team notices, for the people who chose them on their account page.
//! Each copy is its own job (derived from the notice's job), and is sent only if the person
//! may still see the case as team when it runs.

use embargo_app::Job;
use embargo_core::{CaseId, UserId};

use crate::Worker;
use crate::compose::Outgoing;
use crate::failure::Failure;

impl Worker {
    /// After a team notice: one personal job per person who chose this event.
    pub(crate) async fn enqueue_personal_copies(
        &self,
        job: &Job,
        subject: &str,
        body: &str,
    ) -> Result<(), Failure> {
        let (Some(case_id), Some(_)) = (job.case_id, &self.mailer) else {
            return Ok(());
        };
        self.app
            .enqueue_personal_notices(job.id, case_id, &job.kind, subject, body, (self.clock)())
            .await?;
        Ok(())
    }

    pub(crate) async fn notify_person(
        &self,
        job: &Job,
        user: UserId,
        (subject, body): (String, String),
        further: &[CaseId],
    ) -> Result<(), Failure> {
        let case_id: CaseId = job
            .case_id
            .ok_or_else(|| Failure::permanent("the job names no case"))?;
        // Removed from the case (or disabled) since the notice: nothing to send.
        let Some(to) = self.app.personal_recipient(user, case_id).await? else {
            return Ok(());
        };
        // A digest's copy names several cases: removed from any of them, nothing either.
        for case_id in further {
            if !self.app.sees_as_team(user, *case_id).await? {
                return Ok(());
            }
        }
        self.send(Outgoing {
            to: Self::mailbox(&to.name, to.email.as_ref())?,
            reply_to: None,
            subject,
            body: format!(
                "{}\n-- \nYou receive this because you chose it on your account page.\n",
                body
            ),
            encrypt_to: None,
            message_id: self.message_id(job),
        })
        .await
    }
}
