//! Checks on layout changes made before any SQL runs, shared by both backends.

use chargeplan_core::{Circuit, CircuitId, CircuitTree, Kilowatts, SiteId, ValueError};

use crate::StoreError;

/// Validates `circuits` as the whole tree of `site` and orders them parents first, so rows can
/// be inserted without breaking the parent foreign key.
pub(crate) fn root_first(site: &SiteId, circuits: &[Circuit]) -> Result<Vec<Circuit>, StoreError> {
    if let Some(stray) = circuits.iter().find(|circuit| &circuit.site_id != site) {
        return Err(ValueError::invalid(
            "site_id",
            format!("circuit '{}' belongs to another site", stray.id),
        )
        .into());
    }
    let tree = CircuitTree::new(circuits.to_vec())?;
    let mut ordered = Vec::with_capacity(circuits.len());
    let mut frontier = vec![tree.root()];
    while let Some(circuit) = frontier.pop() {
        ordered.push(circuit.clone());
        let mut children = tree.children(&circuit.id);
        children.sort_by(|a, b| b.id.cmp(&a.id));
        frontier.extend(children);
    }
    Ok(ordered)
}

/// A static cap must be a valid power and more than zero.
pub(crate) fn positive_cap(cap_kw: f64) -> Result<Kilowatts, StoreError> {
    let cap = Kilowatts::new(cap_kw)?;
    if cap.get() <= 0.0 {
        return Err(ValueError::invalid("cap_kw", "must be more than 0 kW").into());
    }
    Ok(cap)
}

/// Every record of a per-circuit replacement must name that circuit.
pub(crate) fn all_for_circuit<'a>(
    circuit: &CircuitId,
    mut named: impl Iterator<Item = &'a CircuitId>,
) -> Result<(), StoreError> {
    match named.find(|id| *id != circuit) {
        Some(other) => Err(ValueError::invalid(
            "circuit_id",
            format!("'{other}' is not circuit '{circuit}'"),
        )
        .into()),
        None => Ok(()),
    }
}

/// A site id read back from the database.
pub(crate) fn stored_site_id(id: &str) -> Result<SiteId, StoreError> {
    SiteId::parse(id).map_err(|error| StoreError::corrupt("site id", error))
}
