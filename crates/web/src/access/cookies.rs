//! The dashboard's cookies: reading them from a request and writing them with the flags that
//! keep them out of scripts and other sites' requests.

use axum::http::{HeaderMap, HeaderValue, header};

/// Holds the dashboard session id.
pub(crate) const SESSION_COOKIE: &str = "chargeplan_session";
/// Holds the login form's CSRF token until the login (double-submit: the form carries a copy).
pub(crate) const LOGIN_CSRF_COOKIE: &str = "chargeplan_login";

/// The value of cookie `name` in the request's `Cookie` headers.
pub(crate) fn read_cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`, `Secure` when served over HTTPS,
/// expiring after `max_age_s` (0 deletes the cookie).
pub(crate) fn set_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let cookie =
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}");
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; chargeplan_session=xyz"),
        );
        headers.append(header::COOKIE, HeaderValue::from_static("b=2"));
        assert_eq!(read_cookie(&headers, SESSION_COOKIE), Some("xyz"));
        assert_eq!(read_cookie(&headers, "b"), Some("2"));
        assert_eq!(read_cookie(&headers, "c"), None);
    }

    #[test]
    fn a_set_cookie_is_http_only_and_same_site() {
        let value = set_cookie(SESSION_COOKIE, "xyz", 3600, true);
        assert_eq!(
            value.to_str().unwrap(),
            "chargeplan_session=xyz; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600; Secure"
        );
        let plain = set_cookie(SESSION_COOKIE, "", 0, false);
        assert!(!plain.to_str().unwrap().contains("Secure"));
    }
}
