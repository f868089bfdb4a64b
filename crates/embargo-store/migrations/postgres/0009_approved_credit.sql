-- The reporter's credit as the approved publication preview showed it (JSON: a credit, or
-- null when the preview showed none). Publication uses this, not the reporter's current
-- choice: a change of the choice after the approval gives the draft a new revision, which
-- needs a new approval. NULL: approved before credits were frozen, or never approved.
ALTER TABLE advisory_drafts ADD COLUMN approved_credit TEXT;
