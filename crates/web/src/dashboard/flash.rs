//! One-time notices after a dashboard form ("Cap of Main set to 40 kW…", "Sharing settings
//! saved."): the form's redirect leaves a short-lived cookie naming what was done, the page
//! that follows reads it, says it once and deletes it, so a reload or a bookmark does not
//! say it again. The cookie names the change only (which form, which circuit or port, which
//! plan); each page rebuilds its sentence from the store.

use axum::http::{HeaderMap, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::access::cookies::{read_cookie, set_cookie};

/// The cookie's name.
const FLASH_COOKIE: &str = "chargeplan_flash";
/// How long an unread flash waits for its page, seconds.
const FLASH_MAX_AGE_S: i64 = 60;

/// The `Set-Cookie` that hands `what` (URL-encoded) to the next page.
pub(crate) fn leave(what: &impl Serialize, secure: bool) -> HeaderValue {
    let value = serde_urlencoded::to_string(what).unwrap_or_default();
    set_cookie(FLASH_COOKIE, &value, FLASH_MAX_AGE_S, secure)
}

/// What the request's flash cookie names, if it carries something of this shape.
pub(crate) fn read<T: DeserializeOwned>(headers: &HeaderMap) -> Option<T> {
    serde_urlencoded::from_str(read_cookie(headers, FLASH_COOKIE)?).ok()
}

/// The `Set-Cookie` that deletes the flash once its page has shown it.
pub(crate) fn shown(secure: bool) -> HeaderValue {
    set_cookie(FLASH_COOKIE, "", 0, secure)
}

#[cfg(test)]
mod tests {
    use axum::http::header;

    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize, Serialize)]
    struct Saved {
        saved: String,
        port: Option<String>,
    }

    #[test]
    fn what_is_left_is_read_back_from_the_cookie_the_browser_returns() {
        let left = Saved {
            saved: "cable".to_owned(),
            port: Some("p 1&2".to_owned()),
        };
        let set = leave(&left, false);
        let pair = set.to_str().unwrap().split(';').next().unwrap().to_owned();
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(&pair).unwrap());

        assert_eq!(read::<Saved>(&headers), Some(left));
        assert!(set.to_str().unwrap().contains("Max-Age=60"));
    }

    #[test]
    fn without_the_cookie_or_once_deleted_there_is_nothing_to_say() {
        assert_eq!(read::<Saved>(&HeaderMap::new()), None);
        assert!(shown(true).to_str().unwrap().contains("Max-Age=0"));
    }
}
