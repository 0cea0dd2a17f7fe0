//! A charging-profile result that arrives after the dispatcher stopped waiting (its answer
//! was lost, or the vendor was slow): the response id is the setpoint's id, so the result
//! settles the stored setpoint, for as long as its session could still be under the profile,
//! and the site re-plans with the session back under control.

use chargeplan_core::{SetpointId, SetpointState, VendorAccountId};
use chargeplan_store::{EventKind, NewEvent, StoreError};
use serde_json::json;

use super::receiver::ReceiverState;
use crate::outcome::Reason;
use crate::results::AsyncResult;

/// Settles the setpoint named by `response_id` with a late `result` from `vendor`. Returns
/// false when no setpoint of that vendor's sessions has this id, or when its session has
/// ended (no profile can be in force any more).
pub async fn settle(
    state: &ReceiverState,
    vendor: &VendorAccountId,
    response_id: &str,
    result: AsyncResult,
) -> Result<bool, StoreError> {
    let Ok(id) = SetpointId::parse(response_id) else {
        return Ok(false);
    };
    let setpoint = match state.store.get_setpoint(&id).await {
        Ok(setpoint) => setpoint,
        Err(StoreError::NotFound { .. }) => return Ok(false),
        Err(error) => return Err(error),
    };
    let session = state.store.get_session(&setpoint.session_id).await?;
    if &session.vendor_account != vendor || session.status.is_final() {
        return Ok(false);
    }
    let (new_state, reason) = match result {
        AsyncResult::Accepted => (SetpointState::Accepted, None),
        AsyncResult::Rejected => (SetpointState::Rejected, Some(Reason::ResultRejected)),
        AsyncResult::Unknown => (SetpointState::Failed, Some(Reason::ResultUnknown)),
    };
    let now = state.clock.now();
    let label = reason.map(Reason::label);
    let changed = state
        .store
        .settle_setpoint(&id, new_state, label.as_deref(), now)
        .await?;
    if changed {
        tracing::info!(
            setpoint.id = %id,
            session.id = %session.id,
            setpoint.state = new_state.as_str(),
            "late charging-profile result reconciled"
        );
        state
            .store
            .append_event(&NewEvent {
                site_id: session.site_id.clone(),
                at: now,
                kind: EventKind::SetpointChanged,
                payload: json!({
                    "session_id": session.id.as_str(),
                    "setpoint_id": id.as_str(),
                    "reconciled": new_state.as_str(),
                }),
            })
            .await?;
    }
    Ok(true)
}
