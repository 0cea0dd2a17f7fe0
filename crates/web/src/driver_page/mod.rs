//! The driver's request and status page behind the personal SMS link, as pure functions:
//! form parsing and prefill ([`RequestForm`]), the question about a departure the driver may
//! not have meant ([`departure_question`]), the view model the handler fills ([`DriverPage`]),
//! the ended session's cost ([`session_cost`]), the HTML ([`render`]) and the power chart
//! ([`power_chart`]).
//!
//! Nothing here touches the store, the clock or the network; the handler passes `now` in.

mod chart;
mod confirm;
mod ended;
mod form;
mod render;
mod view;

pub use chart::power_chart;
pub use confirm::{CONFIRM_AHEAD, DepartureQuestion, confirm_token, departure_question};
pub use ended::{SessionCost, session_cost};
pub use form::{FormContext, FormErrors, ParsedRequest, RequestForm};
pub use render::{render, render_error, render_expired};
pub use view::{BlockView, ChartData, DriverPage, SessionView};
