//! The planner's statistics follow the database's growth while it serves (SQLite).

use super::*;

#[tokio::test]
async fn statistics_gathered_on_an_empty_database_catch_up_with_its_growth() {
    if on_postgres() {
        return; // autovacuum analyzes grown tables there
    }
    let (_dir, url, store) = fresh().await;
    let rows_known = || async {
        raw_text(
            &url,
            "SELECT (SELECT stat FROM sqlite_stat1 WHERE tbl = 'jobs' AND idx = 'jobs_claimable')",
        )
        .await
    };
    assert_eq!(rows_known().await, None, "an empty table has no statistics");
    // Five thousand jobs arrive while serving, as a flood's notices would.
    raw(
        &url,
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) \
         INSERT INTO jobs (id, kind, case_id, payload, status, run_at, attempts, created_at, updated_at) \
         SELECT printf('job-%05d', i), 'notify_team_new_report', NULL, '{}', 'pending', i, 0, i, i FROM n",
    )
    .await;
    store.refresh_statistics().await.unwrap();
    let stat = rows_known().await.expect("statistics for the grown table");
    let rows: u64 = stat.split(' ').next().unwrap().parse().unwrap();
    assert_eq!(rows, 5000, "{stat}");
}
