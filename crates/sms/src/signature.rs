//! X-Twilio-Signature: computing and checking it exactly as twilio-python's
//! `request_validator.py` does (see `protocols.md` §3).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// The header Twilio signs its webhook requests with.
pub const SIGNATURE_HEADER: &str = "x-twilio-signature";

/// The signature of a form POST to `url` with `params`: HMAC-SHA1 keyed with the auth token
/// over the URL followed by each parameter name and value (names sorted by bytes; a name's
/// distinct values sorted too), base64 with padding.
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<(&str, &str)> = params
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(auth_token.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    BASE64.encode(mac.finalize().into_bytes())
}

/// Whether `header` is Twilio's signature of this request. The URL is tried with its port
/// removed and with the scheme's default port added, as Twilio is inconsistent about ports.
/// A missing header is never valid; the comparison takes constant time.
pub fn verify_twilio_signature(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    header: Option<&str>,
) -> bool {
    let Some(presented) = header else {
        return false;
    };
    let (without_port, with_port) = port_variants(url);
    let matches = |candidate: &str| -> bool {
        let expected = twilio_signature(auth_token, candidate, params);
        bool::from(expected.as_bytes().ct_eq(presented.trim().as_bytes()))
    };
    // Both are always computed, so timing does not tell which form matched.
    let a = matches(&without_port);
    let b = matches(&with_port);
    a | b
}

/// The URL without its port, and the URL with a port (the scheme's default when it had none).
fn port_variants(url: &str) -> (String, String) {
    let Some(scheme_end) = url.find("://") else {
        return (url.to_owned(), url.to_owned());
    };
    let scheme = &url[..scheme_end];
    let authority_start = scheme_end + 3;
    let authority_end = url[authority_start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| authority_start + i);
    let authority = &url[authority_start..authority_end];
    let (before, after) = (&url[..authority_start], &url[authority_end..]);
    // The port is what follows the last ':' outside an IPv6 literal's brackets.
    let host_end = authority.rfind(']').unwrap_or(0);
    let port_colon = authority[host_end..]
        .rfind(':')
        .map(|i| host_end + i)
        .filter(|&i| {
            let port = &authority[i + 1..];
            !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
        });
    match port_colon {
        Some(i) => (
            format!("{before}{}{after}", &authority[..i]),
            url.to_owned(),
        ),
        None => {
            let default = if scheme.eq_ignore_ascii_case("https") {
                443
            } else {
                80
            };
            (
                url.to_owned(),
                format!("{before}{authority}:{default}{after}"),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn sdk_vector() -> Vec<(String, String)> {
        params(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675309"),
            ("Digits", "1234"),
            ("From", "+14158675309"),
            ("To", "+18005551212"),
        ])
    }

    fn page_vector() -> Vec<(String, String)> {
        // Deliberately not in sorted order: sorting is the function's job.
        params(&[
            ("To", "+15005550001"),
            ("Body", "STOP"),
            ("MessageSid", "SM00000000000000000000000000000001"),
            ("AccountSid", "AC00000000000000000000000000000000"),
            ("NumMedia", "0"),
            ("From", "+15005550006"),
        ])
    }

    const SDK_URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
    const PAGE_URL: &str = "https://sms.example.com/twilio/inbound";

    #[test]
    fn the_twilio_sdk_test_vector_gives_its_signature() {
        assert_eq!(
            twilio_signature("12345", SDK_URL, &sdk_vector()),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        );
        assert!(verify_twilio_signature(
            "12345",
            SDK_URL,
            &sdk_vector(),
            Some("RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        ));
    }

    #[test]
    fn the_protocols_page_test_vector_gives_its_signature() {
        assert_eq!(
            twilio_signature("test_auth_token", PAGE_URL, &page_vector()),
            "pf5dGvbfknWOs4IskugEHpA1evY="
        );
        assert!(verify_twilio_signature(
            "test_auth_token",
            PAGE_URL,
            &page_vector(),
            Some("pf5dGvbfknWOs4IskugEHpA1evY=")
        ));
    }

    #[test]
    fn a_signature_made_with_another_token_is_refused() {
        assert!(!verify_twilio_signature(
            "54321",
            SDK_URL,
            &sdk_vector(),
            Some("RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        ));
    }

    #[test]
    fn a_missing_or_empty_signature_is_refused() {
        assert!(!verify_twilio_signature(
            "12345",
            SDK_URL,
            &sdk_vector(),
            None
        ));
        assert!(!verify_twilio_signature(
            "12345",
            SDK_URL,
            &sdk_vector(),
            Some("")
        ));
    }

    #[test]
    fn a_tampered_parameter_url_or_extra_parameter_is_refused() {
        let mut tampered = page_vector();
        tampered[1].1 = "START".into();
        let signature = Some("pf5dGvbfknWOs4IskugEHpA1evY=");
        assert!(!verify_twilio_signature(
            "test_auth_token",
            PAGE_URL,
            &tampered,
            signature
        ));
        let mut extra = page_vector();
        extra.push(("Injected".into(), "1".into()));
        assert!(!verify_twilio_signature(
            "test_auth_token",
            PAGE_URL,
            &extra,
            signature
        ));
        assert!(!verify_twilio_signature(
            "test_auth_token",
            "https://sms.example.com/twilio/inbound?x=1",
            &page_vector(),
            signature
        ));
    }

    #[test]
    fn the_url_may_carry_the_default_port_or_none() {
        let signature = twilio_signature("12345", SDK_URL, &sdk_vector());
        let with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
        assert!(verify_twilio_signature(
            "12345",
            with_port,
            &sdk_vector(),
            Some(&signature)
        ));
        let signed_with_port = twilio_signature("12345", with_port, &sdk_vector());
        assert!(verify_twilio_signature(
            "12345",
            SDK_URL,
            &sdk_vector(),
            Some(&signed_with_port)
        ));
        // Another port is another URL.
        assert!(!verify_twilio_signature(
            "12345",
            "https://mycompany.com:8443/myapp.php?foo=1&bar=2",
            &sdk_vector(),
            Some(&signed_with_port)
        ));
    }

    #[test]
    fn a_non_default_port_is_accepted_as_given_or_stripped() {
        assert_eq!(
            port_variants("http://127.0.0.1:3456/sms?a=b"),
            (
                "http://127.0.0.1/sms?a=b".to_owned(),
                "http://127.0.0.1:3456/sms?a=b".to_owned()
            )
        );
        assert_eq!(
            port_variants("http://[::1]/x"),
            ("http://[::1]/x".to_owned(), "http://[::1]:80/x".to_owned())
        );
        assert_eq!(
            port_variants("https://example.com"),
            (
                "https://example.com".to_owned(),
                "https://example.com:443".to_owned()
            )
        );
    }

    #[test]
    fn repeated_parameters_sign_their_distinct_values_in_order() {
        let a = params(&[("MediaUrl", "b"), ("MediaUrl", "a"), ("MediaUrl", "b")]);
        let b = params(&[("MediaUrl", "a"), ("MediaUrl", "b")]);
        assert_eq!(
            twilio_signature("t", PAGE_URL, &a),
            twilio_signature("t", PAGE_URL, &b)
        );
        let c = params(&[("MediaUrl", "a")]);
        assert_ne!(
            twilio_signature("t", PAGE_URL, &a),
            twilio_signature("t", PAGE_URL, &c)
        );
    }
}
