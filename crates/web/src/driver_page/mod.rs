//! The driver's request and status page behind the personal SMS link, as pure functions:
//! form parsing and prefill ([`RequestForm`]), the view model the handler fills
//! ([`DriverPage`]), the HTML ([`render`]) and the power chart ([`power_chart`]).
//!
//! Nothing here touches the store, the clock or the network; the handler passes `now` in.

mod chart;
mod form;
mod render;
mod view;

pub use chart::power_chart;
pub use form::{FormContext, FormErrors, ParsedRequest, RequestForm};
pub use render::{render, render_error, render_expired};
pub use view::{BlockView, ChartData, DriverPage, SessionView};
