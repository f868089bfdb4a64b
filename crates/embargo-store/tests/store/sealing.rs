//! Secrets sealed with a key kept outside the database.

use super::*;

/// Second-factor secrets are stored sealed with a key kept outside the database: a copy
/// of the database does not reveal them, a wrong key is refused before anything is
/// written with it, and values an older version stored in clear are sealed on opening.
#[tokio::test]
async fn secrets_are_sealed_with_a_key_kept_outside_the_database() {
    let (_dir, url, store) = fresh().await;
    let (person, _) = seed(&store).await;
    let key = embargo_store::SealingKey::generate().unwrap();
    let store = store.unseal_with(&key).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.set_totp(person.id, Some("JBSWY3DPEHPK3PXP"), None, Some(7))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let stored = raw_text(&url, "SELECT totp_secret FROM people")
        .await
        .unwrap();
    assert!(
        stored.starts_with("sealed:v1:") && !stored.contains("JBSWY3DP"),
        "{stored}"
    );
    let mut tx = store.begin_read().await.unwrap();
    assert_eq!(
        tx.totp(person.id).await.unwrap(),
        (Some("JBSWY3DPEHPK3PXP".to_string()), None, Some(7))
    );
    drop(tx);

    // Another installation's key opens nothing and is refused at once.
    let other = Store::connect(&url, OpenMode::MustExist).await.unwrap();
    let e = other
        .unseal_with(&embargo_store::SealingKey::generate().unwrap())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not the key"), "{e}");

    // A database from before sealing (a secret in clear, no check value) is sealed when
    // the key is first loaded.
    raw(
        &url,
        "UPDATE people SET totp_pending = 'KRSXG5CTMVRXEZLU'; \
         DELETE FROM settings WHERE key = 'secrets_key_check'",
    )
    .await;
    let reopened = Store::connect(&url, OpenMode::MustExist)
        .await
        .unwrap()
        .unseal_with(&key)
        .await
        .unwrap();
    let pending = raw_text(&url, "SELECT totp_pending FROM people")
        .await
        .unwrap();
    assert!(pending.starts_with("sealed:v1:"), "{pending}");
    let mut tx = reopened.begin_read().await.unwrap();
    assert_eq!(
        tx.totp(person.id).await.unwrap().1.as_deref(),
        Some("KRSXG5CTMVRXEZLU")
    );
}
