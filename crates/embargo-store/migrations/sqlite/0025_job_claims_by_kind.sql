-- The job runner claims the earliest due job of the kinds it handles. Through `jobs_due`
-- (status, run_at) that read every due job of the kinds it does not handle first: mail
-- waiting for an `[smtp]` section that is not there, a report flood's notices. Measured
-- after a flood of 40,000 reports without mail: 20 ms a claim, a write holding SQLite's
-- lock and every other writer's turn, at each poll of the runner. One seek per kind here
-- instead (`Store::claim_job`), in the order the claim wants. It also serves what
-- `jobs_due` did (the jobs in a state: leases run out, the queue's counts), so that the
-- intake's batches keep one index entry per job, not two (measured with both: 0.93x the
-- reports per second, the median of three alternating pairs).
CREATE INDEX jobs_claimable ON jobs (status, kind, run_at, id);
DROP INDEX jobs_due;
