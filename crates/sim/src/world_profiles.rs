//! How the simulated CPO decides on charging-profile requests and installs profiles.

use chrono::Duration;

use crate::config::{ProfileBehaviour, ProfileMode};
use crate::profile::{InstalledProfile, lint};
use crate::scenario::{AsyncResult, ProfileAnswer, ProfileLogEntry, ProfileRequestKind};
use crate::wire::ChargingProfile;
use crate::world::World;

/// What the HTTP layer must do after a charging-profile request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProfileDecision {
    pub answer: ProfileAnswer,
    pub async_result: Option<AsyncResult>,
    /// Index in the profile log, to record the delivery of the result.
    pub log_index: usize,
    /// The effective profile changed and the peer has PUT one before: push `ActiveChargingProfile`.
    pub profile_changed: bool,
}

impl World {
    /// Decides on a PUT, DELETE or GET for `session_id`, applies it, and logs it.
    pub fn profile_request(
        &mut self,
        kind: ProfileRequestKind,
        session_id: &str,
        profile: Option<ChargingProfile>,
        response_url: &str,
        behaviour: &ProfileBehaviour,
    ) -> ProfileDecision {
        let now = self.now;
        let mode = behaviour
            .per_session
            .get(session_id)
            .copied()
            .unwrap_or(behaviour.mode);
        let mut async_result = None;
        let mut profile_changed = false;
        let answer = match self.session_mut(session_id) {
            None => ProfileAnswer::UnknownSession,
            Some(s) => match mode {
                ProfileMode::UnknownSession => ProfileAnswer::UnknownSession,
                ProfileMode::NotSupported => ProfileAnswer::NotSupported,
                ProfileMode::Reject => ProfileAnswer::Rejected,
                ProfileMode::TooOften if kind == ProfileRequestKind::Set => ProfileAnswer::TooOften,
                _ if !s.evse.charging_profile_capable => ProfileAnswer::NotSupported,
                _ if !s.is_active() => ProfileAnswer::Rejected,
                _ if kind == ProfileRequestKind::Set
                    && behaviour.min_interval.is_some_and(|gap| {
                        let gap = Duration::from_std(gap).unwrap_or(Duration::MAX);
                        s.last_put_at.is_some_and(|last| now - last < gap)
                    }) =>
                {
                    ProfileAnswer::TooOften
                }
                _ => {
                    let outcome = match mode {
                        ProfileMode::AcceptThenReject => Some(AsyncResult::Rejected),
                        ProfileMode::AcceptSilently => None,
                        _ => Some(AsyncResult::Accepted),
                    };
                    let applies = outcome != Some(AsyncResult::Rejected);
                    async_result = outcome;
                    match kind {
                        ProfileRequestKind::Set => {
                            s.last_put_at = Some(now);
                            if applies {
                                if let Some(p) = profile.clone() {
                                    s.profile = Some(InstalledProfile::new(p, s.start));
                                }
                                s.put_accepted_once = true;
                                profile_changed = true;
                            }
                        }
                        ProfileRequestKind::Clear => {
                            if s.profile.is_none() && async_result.is_some() {
                                async_result = Some(AsyncResult::Unknown);
                            }
                            if applies && s.profile.take().is_some() {
                                profile_changed = s.put_accepted_once;
                            }
                        }
                        ProfileRequestKind::Get => {}
                    }
                    ProfileAnswer::Accepted
                }
            },
        };
        let warnings = profile.as_ref().map(lint).unwrap_or_default();
        self.profile_log.push(ProfileLogEntry {
            at: now,
            session_id: session_id.to_owned(),
            kind,
            profile,
            response_url: response_url.to_owned(),
            answer,
            async_result,
            delivered: None,
            warnings,
        });
        ProfileDecision {
            answer,
            async_result,
            log_index: self.profile_log.len() - 1,
            profile_changed,
        }
    }
}
