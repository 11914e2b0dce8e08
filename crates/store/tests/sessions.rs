//! Session idle expiry on SQLite and PostgreSQL, exact at the second precision of the stored
//! times: an active session never expires, an idle one ends once past its limit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use meijian_store::accounts::sessions::{self, SessionPolicy};
use meijian_store::testing::TestDb;
use meijian_store::{both_backends, demo, Store};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// Not on a whole second, as a real clock is not.
const T0: OffsetDateTime = datetime!(2026-11-20 02:00:00.900 UTC);

const POLICY: SessionPolicy = SessionPolicy {
    idle: Duration::minutes(1),
    absolute: Duration::hours(12),
};

/// Signs the analyst in at `at`; returns the cookie token.
async fn sign_in(store: &Store, at: OffsetDateTime) -> (String, String) {
    let accounts = demo::seed(store, at).await.unwrap();
    let id = accounts
        .iter()
        .find(|a| a.username == "analyst")
        .unwrap()
        .id
        .clone();
    let mut tx = store.begin().await.unwrap();
    let new = sessions::create(&mut tx, &id, at, None).await.unwrap();
    tx.commit().await.unwrap();
    (new.token, id)
}

async fn alive(store: &Store, token: &str, at: OffsetDateTime) -> bool {
    sessions::lookup(store, token, at, &POLICY)
        .await
        .unwrap()
        .is_some()
}

both_backends!(
    an_active_session_never_expires_and_an_idle_one_does,
    |db: TestDb| async move {
        let store = &db.store;
        let (token, account) = sign_in(store, T0).await;
        // The first page a second after signing in, then one every 30 s for five minutes.
        let mut at = T0 + Duration::seconds(1);
        while at <= T0 + Duration::minutes(5) + Duration::seconds(1) {
            assert!(
                alive(store, &token, at).await,
                "a session with a request every 30 s is still live at {at}"
            );
            at += Duration::seconds(30);
        }
        let last = at - Duration::seconds(30);
        // 61 s without a request ends it, and the row is gone.
        assert!(!alive(store, &token, last + Duration::seconds(61)).await);
        assert_eq!(
            sessions::count_for_account(store, &account).await.unwrap(),
            0
        );
    }
);

both_backends!(idle_limit_holds_to_the_second, |db: TestDb| async move {
    let store = &db.store;
    let (token, account) = sign_in(store, T0).await;
    // A gap of exactly the limit keeps the session (sub-second parts included).
    let a = T0 + Duration::minutes(1);
    assert!(alive(store, &token, a).await);
    // Requests in the same second as the last one change nothing.
    assert!(alive(store, &token, a + Duration::milliseconds(50)).await);
    let b = a + Duration::minutes(1);
    assert!(alive(store, &token, b).await);

    // The sweep follows the same rule: at the limit the session stays ...
    let swept = sessions::purge_expired(store, b + Duration::minutes(1), &POLICY)
        .await
        .unwrap();
    assert_eq!(swept, 0);
    assert_eq!(
        sessions::count_for_account(store, &account).await.unwrap(),
        1
    );
    // ... and a whole second past it, the session is refused and swept.
    let c = b + Duration::seconds(61);
    assert!(!alive(store, &token, c).await);
    let mut tx = store.begin().await.unwrap();
    let token2 = sessions::create(&mut tx, &account, b, None)
        .await
        .unwrap()
        .token;
    tx.commit().await.unwrap();
    assert_eq!(sessions::purge_expired(store, c, &POLICY).await.unwrap(), 1);
    assert!(!alive(store, &token2, b + Duration::seconds(1)).await);
});

both_backends!(
    a_malformed_stored_time_is_an_error_naming_the_session,
    |db: TestDb| async move {
        let store = &db.store;
        let (token, _) = sign_in(store, T0).await;
        let hash = sessions::hash_token(&token);
        sqlx::query("update session set last_seen_at = 'soon' where token_hash = $1")
            .bind(&hash)
            .execute(store.pool())
            .await
            .unwrap();
        let err = sessions::lookup(store, &token, T0 + Duration::seconds(1), &POLICY)
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("session 表 {hash} 行的 last_seen_at 无法读取：“soon”")
        );
    }
);
