//! Vendor cloud accounts.

use chargeplan_core::VendorAccountId;
use chargeplan_store::prelude::*;
use chargeplan_store::{StoreError, VendorAccount};

use crate::fixtures::*;

fn account(id: &str, token: &str) -> VendorAccount {
    VendorAccount {
        id: VendorAccountId::parse(id).expect("valid id"),
        protocol: "ocpi-2.2.1".into(),
        versions_url: "https://cpo.example/ocpi/versions".into(),
        outbound_token: token.into(),
        inbound_token: "token-b-secret".into(),
        token_encoding: "base64".into(),
        sessions_url: "https://cpo.example/ocpi/2.2.1/sessions".into(),
        locations_url: "https://cpo.example/ocpi/2.2.1/locations".into(),
        charging_profiles_url: "https://cpo.example/ocpi/2.2.1/chargingprofiles".into(),
        rate_unit: "W".into(),
        enabled: true,
        created_at: t0(),
        updated_at: t0(),
    }
}

pub async fn vendor_accounts_round_trip_and_reregistration_replaces_the_tokens(store: &dyn Store) {
    let first = account("cpo-1", "token-c-one");
    store.upsert_vendor_account(&first).await.expect("stored");
    store
        .upsert_vendor_account(&account("cpo-2", "token-c-two"))
        .await
        .expect("stored");

    let mut renewed = first.clone();
    renewed.outbound_token = "token-c-renewed".into();
    renewed.updated_at = minutes(10);
    store
        .upsert_vendor_account(&renewed)
        .await
        .expect("replaced");

    assert_eq!(
        store.get_vendor_account(&first.id).await.expect("found"),
        renewed
    );
    assert_eq!(store.list_vendor_accounts().await.expect("listed").len(), 2);
    assert!(
        !format!("{renewed:?}").contains("token-c-renewed"),
        "tokens never reach logs"
    );
    let missing = store
        .get_vendor_account(&VendorAccountId::parse("nope").expect("id"))
        .await
        .expect_err("unknown");
    assert!(matches!(missing, StoreError::NotFound { .. }), "{missing}");
}
