//! The store conformance suite: every case runs on SQLite and, when
//! `CHARGEPLAN_TEST_DATABASE_URL` is set, on PostgreSQL — each on a fresh database.

mod driver;
mod fixtures;
mod harness;
mod layout;
mod leases;
mod member_ids;
mod operators;
mod outbox;
mod participants;
mod plans;
mod sessions;
mod sharing;
mod vendors;
mod waitlist;
mod webhooks;

/// Generates one `#[tokio::test]` per case and backend.
macro_rules! conformance {
    ($($module:ident :: $case:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let db = crate::harness::TestDb::open(crate::harness::Kind::Sqlite, true).await;
                    crate::$module::$case(db.store()).await;
                    db.finish().await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    if !crate::harness::postgres_configured() {
                        return;
                    }
                    let db = crate::harness::TestDb::open(crate::harness::Kind::Postgres, true).await;
                    crate::$module::$case(db.store()).await;
                    db.finish().await;
                }
            )*
        }
    };
}

conformance!(
    sharing::sharing_settings_default_until_set_and_invalid_ones_change_nothing,
    sharing::a_ports_movable_cable_survives_a_vendor_refresh,
    sharing::relay_threads_open_relay_close_and_are_found_by_either_phone,
    sharing::a_failed_relay_write_changes_nothing,
    sharing::blocks_are_kept_once_listed_and_lifted_by_their_owner,
    layout::migrating_twice_applies_nothing_the_second_time,
    layout::sites_round_trip_and_update_in_place,
    layout::a_circuit_tree_is_replaced_whole_and_an_invalid_one_changes_nothing,
    layout::a_circuit_that_still_feeds_ports_cannot_be_removed,
    layout::changing_a_static_cap_records_an_event,
    layout::scheduled_caps_and_overrides_round_trip_and_expired_overrides_drop_out,
    layout::a_tariff_round_trips_and_its_change_is_an_event,
    layout::a_billed_peak_only_rises_within_its_period_and_starts_over_in_the_next,
    layout::ports_are_found_by_vendor_ids_and_can_be_marked_uncontrolled,
    layout::a_port_or_circuit_id_of_another_site_is_a_conflict,
    layout::ending_overrides_expires_the_active_one_and_deletes_future_ones,
    participants::participants_are_created_found_by_token_updated_and_deleted,
    participants::a_second_participant_with_the_same_phone_is_a_conflict_and_changes_nothing,
    participants::a_token_already_held_by_someone_else_is_a_conflict_and_changes_nothing,
    member_ids::a_participant_is_found_by_member_id_from_any_site_with_its_plate,
    member_ids::a_member_id_taken_at_another_site_is_a_conflict_and_changes_nothing,
    member_ids::registering_draws_another_member_id_when_the_first_is_taken,
    member_ids::a_phone_already_registered_is_not_taken_for_a_member_id_collision,
    sessions::a_new_session_is_inserted_with_its_start_event_and_welcome_message_once,
    sessions::duplicate_and_out_of_order_data_never_move_energy_backwards,
    sessions::an_ended_session_is_never_resurrected,
    sessions::the_first_party_recorded_for_a_session_keeps_it,
    sessions::open_sessions_and_sessions_started_in_a_range_are_listed,
    sessions::meter_samples_are_kept_once_per_instant,
    sessions::request_revisions_keep_the_full_history_and_reject_stale_edits,
    sessions::a_request_for_an_ended_session_is_refused,
    sessions::a_request_writes_its_message_in_the_same_transaction,
    sessions::site_samples_are_those_of_the_site_in_the_range_oldest_first,
    plans::plans_round_trip_and_the_latest_is_found,
    plans::setpoints_move_through_their_states_and_invalid_periods_are_refused,
    plans::a_late_answer_settles_an_unknown_outcome_but_never_the_reverse,
    plans::plans_are_listed_newest_first_within_the_range_and_limit,
    outbox::a_message_is_enqueued_once_per_idempotency_key,
    outbox::claimed_messages_are_not_claimed_again_until_their_lease_expires,
    outbox::sent_and_failed_messages_leave_the_queue_and_retries_wait,
    outbox::concurrent_workers_never_claim_the_same_message,
    outbox::events_are_read_in_order_after_a_position,
    vendors::vendor_accounts_round_trip_and_reregistration_replaces_the_tokens,
    driver::a_session_gets_one_link_and_its_welcome_is_written_with_it,
    driver::notices_are_saved_with_their_messages_and_replaced,
    driver::suppressed_numbers_are_listed_until_lifted,
    driver::phone_verifications_count_attempts_and_are_used_once,
    driver::event_cursors_start_at_zero_and_move,
    leases::a_free_lease_is_taken_and_its_owner_renews_it_with_the_same_token,
    leases::another_owner_is_refused_until_expiry_and_its_takeover_increments_the_token,
    leases::a_stale_token_fails_the_fence_and_its_plan_is_not_stored,
    leases::a_released_lease_is_free_at_once_and_its_token_keeps_growing,
    leases::of_many_owners_racing_for_a_free_lease_exactly_one_gets_it,
    leases::instances_are_live_until_their_announcement_expires,
    leases::a_site_signal_reaches_every_subscriber,
    operators::operators_round_trip_and_a_taken_name_changes_nothing,
    operators::sites_are_granted_and_revoked_and_unknown_ones_are_not_found,
    operators::api_tokens_are_found_by_hash_with_their_operator_and_revoked_once,
    operators::dashboard_sessions_expire_and_a_new_password_ends_them,
    operators::deleting_an_operator_removes_their_grants_tokens_and_sessions,
    operators::login_failures_are_counted_since_an_instant_and_cleared,
    webhooks::a_webhook_is_claimed_once_per_kind_and_key,
    webhooks::a_released_webhook_can_be_claimed_again,
    webhooks::receipts_first_seen_before_the_cutoff_are_pruned_and_the_rest_kept,
    webhooks::of_many_instances_claiming_the_same_webhook_exactly_one_wins,
    waitlist::a_phone_joins_a_site_once_and_the_line_is_in_joining_order,
    waitlist::entries_joined_in_a_period_are_listed_whatever_became_of_them,
    waitlist::an_offer_is_made_once_per_port_and_only_under_the_lease,
    waitlist::a_take_before_the_deadline_holds_the_port_and_a_late_one_changes_nothing,
    waitlist::skips_are_counted_and_an_ended_entry_withdraws_its_offer,
    waitlist::sharing_notes_keep_the_owners_word_and_count_done_texts_once,
);

#[tokio::test]
async fn an_unmigrated_sqlite_store_is_not_ready_until_migrated() {
    let db = harness::TestDb::open(harness::Kind::Sqlite, false).await;
    layout::an_unmigrated_store_is_not_ready_until_migrated(db.store()).await;
    db.finish().await;
}

#[tokio::test]
async fn an_unmigrated_postgres_store_is_not_ready_until_migrated() {
    if !harness::postgres_configured() {
        return;
    }
    let db = harness::TestDb::open(harness::Kind::Postgres, false).await;
    layout::an_unmigrated_store_is_not_ready_until_migrated(db.store()).await;
    db.finish().await;
}

/// Participants stored before member IDs existed (`member_id` NULL) get one at `migrate()`,
/// and the store is not ready until they have.
async fn participants_without_a_member_id_get_one_when_migrating(kind: harness::Kind) {
    let db = harness::TestDb::open(kind, true).await;
    let store = db.store();
    fixtures::seeded_site(store, "s1").await;
    for (id, phone) in [("alice", "+14155550101"), ("bob", "+14155550102")] {
        let p = fixtures::participant("s1", id, phone, &[id]);
        store.insert_participant(&p).await.expect("stored");
    }
    db.execute("UPDATE participants SET member_id = NULL").await;
    let not_ready = store.check_ready().await.expect_err("IDs missing");
    assert!(
        matches!(not_ready, chargeplan_store::StoreError::NotReady(_)),
        "{not_ready}"
    );

    store.migrate().await.expect("migrate fills the IDs");

    store.check_ready().await.expect("ready");
    let listed = store
        .list_participants(&fixtures::site_id("s1"))
        .await
        .expect("every row reads");
    assert_eq!(listed.len(), 2);
    assert_ne!(listed[0].member_id, listed[1].member_id);
    for p in &listed {
        let found = store
            .find_participant_by_member_id(&p.member_id)
            .await
            .expect("lookup");
        assert_eq!(found.as_ref(), Some(p));
    }
    db.finish().await;
}

#[tokio::test]
async fn sqlite_participants_without_a_member_id_get_one_when_migrating() {
    participants_without_a_member_id_get_one_when_migrating(harness::Kind::Sqlite).await;
}

#[tokio::test]
async fn postgres_participants_without_a_member_id_get_one_when_migrating() {
    if !harness::postgres_configured() {
        return;
    }
    participants_without_a_member_id_get_one_when_migrating(harness::Kind::Postgres).await;
}

#[tokio::test]
async fn a_postgres_connection_error_never_shows_the_password() {
    let url = "postgres://someone:s3cret-pass@127.0.0.1:1/nowhere";
    let error = chargeplan_store::open(&chargeplan_store::StoreTarget::Postgres {
        url: url.into(),
        max_connections: 1,
    })
    .await
    .expect_err("nothing listens on port 1");
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("s3cret-pass"), "{shown}");
    assert!(shown.contains("cannot connect to PostgreSQL"), "{shown}");
}
