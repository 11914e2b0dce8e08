//! Shared state (rate limits, one-time tokens, keys) in the database, on SQLite and
//! PostgreSQL, and in the process: the same answers from both places, and two connections
//! (two servers) counting against one limit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use meijian_store::shared::{self, Quota, SharedState};
use meijian_store::testing::TestDb;
use meijian_store::{both_backends, Store};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-12-02 10:00 UTC);

/// Three per minute, then one every 20 s; another key has its own count; `forget` resets.
async fn limits_hold(state: &SharedState) {
    let q = Quota::per_minute(3);
    for _ in 0..3 {
        assert_eq!(state.hit("a", q, NOW).await.unwrap(), Ok(()));
    }
    let wait = state.hit("a", q, NOW).await.unwrap().unwrap_err();
    assert_eq!(wait.as_secs(), 20);
    assert!(state.peek("a", q, NOW).await.unwrap().is_err());
    assert_eq!(state.hit("b", q, NOW).await.unwrap(), Ok(()));
    let later = NOW + Duration::seconds(20);
    assert!(state.peek("a", q, later).await.unwrap().is_ok());
    assert_eq!(state.hit("a", q, later).await.unwrap(), Ok(()));
    assert!(state.hit("a", q, later).await.unwrap().is_err());
    state.forget("a").await.unwrap();
    assert_eq!(state.hit("a", q, later).await.unwrap(), Ok(()));
    // A token is taken once; given back it can be taken again; swept when expired.
    let expires = NOW + Duration::hours(2);
    assert!(state.take_once("n1", expires).await.unwrap());
    assert!(!state.take_once("n1", expires).await.unwrap());
    state.give_back("n1").await.unwrap();
    assert!(state.take_once("n1", expires).await.unwrap());
    state.sweep(NOW + Duration::hours(3)).await.unwrap();
    assert!(
        state.take_once("n1", expires).await.unwrap(),
        "an expired nonce is forgotten"
    );
}

both_backends!(limits_and_tokens_in_the_database, |db: TestDb| async move {
    limits_hold(&SharedState::Database(db.store.clone())).await;
});

#[tokio::test]
async fn limits_and_tokens_in_the_process() {
    limits_hold(&SharedState::local()).await;
}

both_backends!(
    two_servers_count_against_one_limit,
    |db: TestDb| async move {
        // A second pool on the same database stands for a second server.
        let other = Store::connect(&db.url).await.unwrap();
        let (one, two) = (
            SharedState::Database(db.store.clone()),
            SharedState::Database(other.clone()),
        );
        let q = Quota::per_hour(10);
        let mut allowed = 0;
        let mut tasks = Vec::new();
        for i in 0..30 {
            let state = if i % 2 == 0 { &one } else { &two };
            tasks.push(state.hit("login:203.0.113.9", q, NOW));
        }
        for r in futures_util::future::join_all(tasks).await {
            if r.unwrap().is_ok() {
                allowed += 1;
            }
        }
        assert_eq!(allowed, 10, "30 requests over two servers, 10 allowed");
        assert!(one.take_once("nonce", NOW).await.unwrap());
        assert!(!two.take_once("nonce", NOW).await.unwrap());
        let k1 = shared::secret(&db.store, "form_token", NOW).await.unwrap();
        let k2 = shared::secret(&other, "form_token", NOW).await.unwrap();
        assert_eq!(k1, k2);
        assert_eq!(k1.len(), 32);
        other.close().await;
    }
);
