-- The job runner claims the earliest due job of the kinds it handles. Through `jobs_due`
-- (status, run_at) that read every due job of the kinds it does not handle first: mail
-- waiting for an `[smtp]` section that is not there, a report flood's notices. Measured
-- after a flood of 40,000 reports without mail: 20 ms a claim, a write holding SQLite's
-- lock and every other writer's turn, at each poll of the runner. One seek per kind here
-- instead (`Store::claim_job`), in the order the claim wants.
CREATE INDEX jobs_claimable ON jobs (status, kind, run_at, id);
