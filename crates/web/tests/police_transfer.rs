//! A transfer to the police through the pages, on SQLite and PostgreSQL: the officer proposes
//! it, a leader approves it on the referrals page (the police see nothing before), the police
//! refuse, and the officer asks for reconsideration within the limit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use meijian_domain::role::Role;
use meijian_store::leads::{self, referral};
use meijian_store::testing::TestDb;
use meijian_store::{both_backends, Actor, Scope};

async fn state_of(app: &TestApp, lead_id: &str) -> (String, String) {
    sqlx::query_as("select id, state from lead_referral where lead_id = $1 and kind = 'police'")
        .bind(lead_id)
        .fetch_one(app.db.store.pool())
        .await
        .unwrap()
}

both_backends!(
    a_leader_approves_and_the_sender_asks_to_reconsider,
    |db: TestDb| async move {
        let app = TestApp::spawn(db).await;
        let officer = app.login("officer").await;
        let csrf = app.csrf(&officer).await;
        let r = officer
            .post(app.url("/leads/clue"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("source", "officer"),
                ("category", "unlicensed_practice"),
                ("region_code", "370402"),
                ("subject_name", "某居民楼工作室"),
                ("subject_address", "市中区光明路20号"),
                ("summary", "居民楼内无证注射，已致两人面部感染。"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let lead_id: String =
            sqlx::query_scalar("select id from lead where subject_name = '某居民楼工作室'")
                .fetch_one(app.db.store.pool())
                .await
                .unwrap();
        let r = officer
            .post(app.url(&format!("/leads/{lead_id}/police")))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("reason", "涉嫌非法行医罪，致二人感染"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let (rid, state) = state_of(&app, &lead_id).await;
        assert_eq!(state, "proposed");

        // The police see nothing yet.
        let police_dept = app.department_id("police", "370402").await;
        let police = Scope::for_user(
            Actor::system("police"),
            Role::Officer,
            police_dept,
            meijian_domain::region::RegionCode::parse("370402").unwrap(),
        );
        assert!(leads::get(&app.db.store, &police, &lead_id).await.is_err());

        let leader = app.login("leader").await;
        let (status, html) = app.get_text(&leader, "/referrals").await;
        assert_eq!(status, 200);
        assert!(html.contains("待审批的涉嫌犯罪移送（1）"), "{html}");
        let lcsrf = app.csrf(&leader).await;
        // An officer cannot approve.
        let r = officer
            .post(app.url(&format!("/referrals/{rid}/approve")))
            .form(&[("_csrf", csrf.as_str()), ("note", "")])
            .send()
            .await
            .unwrap();
        assert_ne!(r.status(), 303);
        assert_eq!(state_of(&app, &lead_id).await.1, "proposed");
        let r = leader
            .post(app.url(&format!("/referrals/{rid}/approve")))
            .form(&[("_csrf", lcsrf.as_str()), ("note", "同意移送")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(state_of(&app, &lead_id).await.1, "sent");
        assert!(leads::get(&app.db.store, &police, &lead_id).await.is_ok());

        referral::respond(
            &app.db.store,
            &police,
            meijian_web::Clock::now(app.clock.as_ref()),
            &rid,
            referral::Response::Refuse,
            "证据不足",
        )
        .await
        .unwrap();
        let (_, html) = app.get_text(&officer, "/referrals").await;
        assert!(html.contains("申请复议"), "{html}");
        let r = officer
            .post(app.url(&format!("/referrals/{rid}/reconsider")))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("note", "补充了两名受害人的鉴定意见"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(state_of(&app, &lead_id).await.1, "reconsider");
    }
);
