//! Tests of the circuit tree, cap overrides and `effective_cap`.

use chrono::NaiveTime;
use chrono_tz::America::Los_Angeles;
use proptest::prelude::*;

use super::*;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn kw(v: f64) -> Kilowatts {
    Kilowatts::new(v).unwrap()
}

fn cid(s: &str) -> CircuitId {
    CircuitId::parse(s).unwrap()
}

fn site() -> SiteId {
    SiteId::parse("lot-b").unwrap()
}

fn circuit(id: &str, parent: Option<&str>, cap: f64) -> Circuit {
    Circuit::new(cid(id), site(), id, parent.map(cid), kw(cap)).unwrap()
}

/// service (400) -> panel-a (200) -> {bank-1 (80), bank-2 (80)}; service -> panel-b (150)
fn tree() -> CircuitTree {
    CircuitTree::new(vec![
        circuit("bank-1", Some("panel-a"), 80.0),
        circuit("service", None, 400.0),
        circuit("panel-a", Some("service"), 200.0),
        circuit("bank-2", Some("panel-a"), 80.0),
        circuit("panel-b", Some("service"), 150.0),
    ])
    .unwrap()
}

fn tree_err(circuits: Vec<Circuit>) -> String {
    CircuitTree::new(circuits).unwrap_err().to_string()
}

#[test]
fn a_valid_tree_answers_root_children_and_ancestors() {
    let tree = tree();
    assert_eq!(tree.root().id, cid("service"));
    assert_eq!(tree.get(&cid("panel-a")).unwrap().cap, kw(200.0));
    assert!(tree.get(&cid("nope")).is_none());
    let children: Vec<&str> = tree
        .children(&cid("panel-a"))
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(children, ["bank-1", "bank-2"]);
    assert!(tree.children(&cid("bank-1")).is_empty());
    let up: Vec<&str> = tree
        .ancestors_inclusive(&cid("bank-2"))
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(up, ["bank-2", "panel-a", "service"]);
    assert_eq!(tree.ancestors_inclusive(&cid("service")), [&cid("service")]);
    assert!(tree.ancestors_inclusive(&cid("nope")).is_empty());
    assert_eq!(tree.circuits().len(), 5);
}

#[test]
fn a_single_circuit_is_a_tree() {
    let tree = CircuitTree::new(vec![circuit("service", None, 100.0)]).unwrap();
    assert_eq!(tree.root().id, cid("service"));
}

#[test]
fn a_tree_with_two_roots_is_rejected() {
    assert_eq!(
        tree_err(vec![circuit("a", None, 10.0), circuit("b", None, 10.0)]),
        "parent: circuits 'a' and 'b' both have no parent; exactly one root circuit is allowed"
    );
}

#[test]
fn an_empty_tree_is_rejected() {
    assert_eq!(
        tree_err(vec![]),
        "circuits: a site needs at least one circuit"
    );
}

#[test]
fn a_parent_that_is_not_in_the_tree_is_rejected() {
    assert_eq!(
        tree_err(vec![
            circuit("root", None, 10.0),
            circuit("a", Some("x"), 10.0)
        ]),
        "parent: unknown circuit 'x'"
    );
}

#[test]
fn a_cycle_is_rejected() {
    assert_eq!(
        tree_err(vec![
            circuit("root", None, 10.0),
            circuit("a", Some("b"), 10.0),
            circuit("b", Some("a"), 10.0),
        ]),
        "parent: circuit 'a' is its own ancestor"
    );
}

#[test]
fn a_cycle_without_any_root_is_reported_as_a_cycle() {
    assert_eq!(
        tree_err(vec![
            circuit("a", Some("b"), 10.0),
            circuit("b", Some("a"), 10.0)
        ]),
        "parent: circuit 'a' is its own ancestor"
    );
}

#[test]
fn a_circuit_that_is_its_own_parent_is_rejected() {
    assert_eq!(
        tree_err(vec![
            circuit("root", None, 10.0),
            circuit("a", Some("a"), 10.0)
        ]),
        "parent: circuit 'a' is its own ancestor"
    );
}

#[test]
fn a_branch_hanging_below_a_cycle_is_rejected() {
    // c -> a -> b -> a: c is not in the cycle but never reaches the root.
    assert_eq!(
        tree_err(vec![
            circuit("root", None, 10.0),
            circuit("c", Some("a"), 10.0),
            circuit("a", Some("b"), 10.0),
            circuit("b", Some("a"), 10.0),
        ]),
        "parent: circuit 'a' is its own ancestor"
    );
}

#[test]
fn duplicate_circuit_ids_are_rejected() {
    assert_eq!(
        tree_err(vec![
            circuit("root", None, 10.0),
            circuit("root", None, 20.0)
        ]),
        "circuit_id: circuit 'root' is listed twice"
    );
}

#[test]
fn circuits_of_another_site_are_rejected() {
    let other = Circuit::new(
        cid("a"),
        SiteId::parse("lot-c").unwrap(),
        "A",
        Some(cid("root")),
        kw(5.0),
    )
    .unwrap();
    assert_eq!(
        tree_err(vec![circuit("root", None, 10.0), other]),
        "site_id: circuit 'a' belongs to site 'lot-c', not 'lot-b'"
    );
}

#[test]
fn a_circuit_needs_a_name_and_a_positive_cap() {
    assert_eq!(
        Circuit::new(cid("a"), site(), "Panel A", None, Kilowatts::ZERO)
            .unwrap_err()
            .to_string(),
        "cap_kw: must be greater than 0 kW"
    );
    assert_eq!(
        Circuit::new(cid("a"), site(), " ", None, kw(1.0))
            .unwrap_err()
            .to_string(),
        "name: must not be empty"
    );
    assert_eq!(
        Circuit::new(cid("a"), site(), " Panel A ", None, kw(1.0))
            .unwrap()
            .name,
        "Panel A"
    );
}

#[test]
fn a_tree_round_trips_through_json_and_invalid_json_trees_are_rejected() {
    let tree = tree();
    let json = serde_json::to_string(&tree).unwrap();
    assert_eq!(serde_json::from_str::<CircuitTree>(&json).unwrap(), tree);
    let two_roots =
        serde_json::to_string(&vec![circuit("a", None, 1.0), circuit("b", None, 1.0)]).unwrap();
    assert!(serde_json::from_str::<CircuitTree>(&two_roots).is_err());
}

fn override_(circuit: &str, cap: f64, from: &str, to: &str) -> CapOverride {
    CapOverride::new(cid(circuit), kw(cap), t(from), t(to), "utility DR event").unwrap()
}

#[test]
fn an_override_must_end_after_it_starts() {
    let at = t("2026-06-01T00:00:00Z");
    for end in [at, at - Duration::seconds(1)] {
        assert_eq!(
            CapOverride::new(cid("a"), kw(5.0), at, end, "")
                .unwrap_err()
                .to_string(),
            "expires_at: must be after starts_at"
        );
    }
}

#[test]
fn an_override_lasts_at_most_seven_days() {
    let at = t("2026-06-01T00:00:00Z");
    assert!(CapOverride::new(cid("a"), kw(5.0), at, at + Duration::days(7), "").is_ok());
    assert_eq!(
        CapOverride::new(
            cid("a"),
            kw(5.0),
            at,
            at + Duration::days(7) + Duration::seconds(1),
            ""
        )
        .unwrap_err()
        .to_string(),
        "expires_at: an override can last at most 7 days"
    );
}

#[test]
fn an_override_reason_is_trimmed_and_at_most_200_characters() {
    let at = t("2026-06-01T00:00:00Z");
    let end = at + Duration::hours(1);
    assert_eq!(
        CapOverride::new(cid("a"), kw(5.0), at, end, "  heat wave ")
            .unwrap()
            .reason,
        "heat wave"
    );
    assert!(CapOverride::new(cid("a"), kw(5.0), at, end, &"r".repeat(200)).is_ok());
    assert_eq!(
        CapOverride::new(cid("a"), kw(5.0), at, end, &"r".repeat(201))
            .unwrap_err()
            .field(),
        "reason"
    );
}

fn evening_cap(circuit: &str, cap: f64) -> ScheduledCap {
    let hm = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    ScheduledCap {
        circuit_id: cid(circuit),
        window: LocalWindow::new(WeekdaySet::WEEKDAYS, hm(17), hm(21)).unwrap(),
        cap: kw(cap),
    }
}

// 2026-06-01 is a Monday; Los Angeles is on PDT (UTC-7).
const MON_NOON: &str = "2026-06-01T19:00:00Z";
const MON_18H: &str = "2026-06-02T01:00:00Z";
const SAT_18H: &str = "2026-06-07T01:00:00Z";

#[test]
fn without_schedules_or_overrides_the_static_cap_applies() {
    let c = circuit("panel-a", Some("service"), 200.0);
    assert_eq!(
        effective_cap(&c, &[], &[], Los_Angeles, t(MON_NOON)),
        kw(200.0)
    );
}

#[test]
fn a_scheduled_cap_lowers_the_cap_only_inside_its_window() {
    let c = circuit("panel-a", Some("service"), 200.0);
    let sched = [evening_cap("panel-a", 50.0)];
    assert_eq!(
        effective_cap(&c, &sched, &[], Los_Angeles, t(MON_18H)),
        kw(50.0)
    );
    assert_eq!(
        effective_cap(&c, &sched, &[], Los_Angeles, t(MON_NOON)),
        kw(200.0)
    );
    assert_eq!(
        effective_cap(&c, &sched, &[], Los_Angeles, t(SAT_18H)),
        kw(200.0)
    );
}

#[test]
fn a_scheduled_cap_above_the_rating_does_not_raise_it() {
    let c = circuit("panel-a", Some("service"), 200.0);
    let sched = [evening_cap("panel-a", 500.0)];
    assert_eq!(
        effective_cap(&c, &sched, &[], Los_Angeles, t(MON_18H)),
        kw(200.0)
    );
}

#[test]
fn an_override_applies_from_its_start_until_just_before_it_expires() {
    let c = circuit("panel-a", Some("service"), 200.0);
    let ov = [override_(
        "panel-a",
        30.0,
        "2026-06-01T18:00:00Z",
        "2026-06-01T20:00:00Z",
    )];
    let cap = |at: &str| effective_cap(&c, &[], &ov, Los_Angeles, t(at));
    assert_eq!(cap("2026-06-01T17:59:59Z"), kw(200.0));
    assert_eq!(cap("2026-06-01T18:00:00Z"), kw(30.0));
    assert_eq!(cap("2026-06-01T19:59:59Z"), kw(30.0));
    assert_eq!(cap("2026-06-01T20:00:00Z"), kw(200.0));
}

#[test]
fn the_lowest_of_all_active_caps_wins() {
    let c = circuit("panel-a", Some("service"), 200.0);
    let sched = [evening_cap("panel-a", 50.0), evening_cap("panel-a", 80.0)];
    let low = [override_(
        "panel-a",
        20.0,
        "2026-06-01T00:00:00Z",
        "2026-06-03T00:00:00Z",
    )];
    let high = [override_(
        "panel-a",
        120.0,
        "2026-06-01T00:00:00Z",
        "2026-06-03T00:00:00Z",
    )];
    assert_eq!(
        effective_cap(&c, &sched, &low, Los_Angeles, t(MON_18H)),
        kw(20.0)
    );
    assert_eq!(
        effective_cap(&c, &sched, &high, Los_Angeles, t(MON_18H)),
        kw(50.0)
    );
    assert_eq!(
        effective_cap(&c, &sched, &high, Los_Angeles, t(MON_NOON)),
        kw(120.0)
    );
}

#[test]
fn caps_of_other_circuits_are_ignored() {
    let c = circuit("panel-a", Some("service"), 200.0);
    let sched = [evening_cap("panel-b", 10.0)];
    let ov = [override_(
        "service",
        5.0,
        "2026-06-01T00:00:00Z",
        "2026-06-03T00:00:00Z",
    )];
    assert_eq!(
        effective_cap(&c, &sched, &ov, Los_Angeles, t(MON_18H)),
        kw(200.0)
    );
}

proptest! {
    #[test]
    fn effective_cap_never_exceeds_the_static_cap(
        rating in 0.1f64..1_000.0,
        sched_caps in proptest::collection::vec(0.0f64..2_000.0, 0..4),
        override_caps in proptest::collection::vec((0.0f64..2_000.0, -48i64..48, 1i64..48), 0..4),
        at_offset_min in 0i64..(14 * 24 * 60),
    ) {
        let c = circuit("panel-a", None, rating);
        let base = t("2026-03-01T00:00:00Z");
        let sched: Vec<ScheduledCap> = sched_caps.iter().map(|&v| evening_cap("panel-a", v)).collect();
        let ov: Vec<CapOverride> = override_caps
            .iter()
            .map(|&(v, start_h, len_h)| {
                let from = base + Duration::hours(start_h + 24 * 7);
                CapOverride::new(cid("panel-a"), kw(v), from, from + Duration::hours(len_h), "").unwrap()
            })
            .collect();
        let at = base + Duration::minutes(at_offset_min);
        let cap = effective_cap(&c, &sched, &ov, Los_Angeles, at);
        prop_assert!(cap <= c.cap);
        let lowest = sched_caps.iter().chain(override_caps.iter().map(|(v, _, _)| v)).fold(rating, |m, &v| m.min(v));
        prop_assert!(cap.get() >= lowest);
    }
}
