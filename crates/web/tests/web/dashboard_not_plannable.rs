//! The overview says when a site cannot be planned yet (no circuits, or no ports), the state
//! in which the control loop skips the site.

use chargeplan_core::{Circuit, CircuitId, Site, SiteId};

use crate::dashboard::{admin, get};
use crate::support::{TestApp, kw, t0};

const NOTICE: &str = "id=\"not-plannable\"";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_without_circuits_or_ports_says_it_is_not_planned_yet() {
    let app = TestApp::new().await;
    let login = admin(&app).await;
    for id in ["bare", "wired"] {
        let site =
            Site::new(SiteId::parse(id).expect("id"), id, "America/Los_Angeles", 5).expect("site");
        app.store.upsert_site(&site, t0()).await.expect("site");
    }
    let wired = SiteId::parse("wired").expect("id");
    let main = Circuit::new(
        CircuitId::parse("wired-main").expect("id"),
        wired.clone(),
        "Main",
        None,
        kw(100.0),
    )
    .expect("circuit");
    app.store
        .replace_circuits(&wired, &[main], t0())
        .await
        .expect("circuits");

    let bare = get(&app, "/dashboard/sites/bare", &login).await;
    let no_ports = get(&app, "/dashboard/sites/wired", &login).await;
    let ready = get(&app, "/dashboard/sites/s1", &login).await;

    assert!(bare.body.contains(NOTICE), "{}", bare.body);
    assert!(bare.body.contains("this site has no circuits"));
    assert!(no_ports.body.contains(NOTICE));
    assert!(no_ports.body.contains("this site has no charging ports"));
    assert!(
        !ready.body.contains(NOTICE),
        "the test site has circuits and ports"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_says_what_the_plan_holds_back_for_the_billed_peak_and_arrivals() {
    let app = TestApp::new().await;
    let login = admin(&app).await;
    let site = SiteId::parse("s1").expect("id");

    let before = get(&app, "/dashboard/sites/s1", &login).await;
    app.state
        .control
        .metrics()
        .sites()
        .set_plan_reserves(&site, 6.656, 28.5);
    let after = get(&app, "/dashboard/sites/s1", &login).await;

    assert!(
        !before.body.contains("id=\"plan-reserves\""),
        "nothing held back yet"
    );
    assert!(
        after.body.contains("id=\"plan-reserves\""),
        "{}",
        after.body
    );
    assert!(
        after.body.contains("planned above 28.5 kW"),
        "{}",
        after.body
    );
    assert!(after.body.contains("6.7 kW is kept free"), "{}", after.body);
}
