#![doc = include_str!("../README.md")]

mod actions;
mod browser;
mod cdp;
mod error;
mod page;
mod print;

pub use browser::{Browser, CHROMIUM_ENV, DEFAULT_TIMEOUT};
pub use error::BrowserError;
pub use page::Page;
pub use print::{Paper, pdf_page_count};
