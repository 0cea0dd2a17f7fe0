//! OCPI 2.2.1 over HTTP: the token header, request and correlation ids, the response
//! envelope and its status codes, and `Link rel="next"` pagination.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use reqwest::header::{HeaderMap, HeaderValue, LINK};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::types::Envelope;
use crate::OcpiError;

/// How a peer wants its token in the `Authorization` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenEncoding {
    /// `Token <base64(token)>`, as OCPI 2.2.1 requires.
    #[default]
    Base64,
    /// `Token <token>`, as many 2.1.1/2.2 peers still expect.
    Raw,
}

/// Pages followed at most in one listing, so a peer that links in circles cannot hold us.
const MAX_PAGES: usize = 10_000;

/// An HTTP client for one OCPI peer, carrying the token we present to it.
#[derive(Clone)]
pub struct OcpiClient {
    http: reqwest::Client,
    /// The credentials token the peer gave us; never logged.
    token: String,
    encoding: TokenEncoding,
}

impl std::fmt::Debug for OcpiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcpiClient")
            .field("token", &"[REDACTED]")
            .field("encoding", &self.encoding)
            .finish()
    }
}

impl OcpiClient {
    pub fn new(http: reqwest::Client, token: impl Into<String>, encoding: TokenEncoding) -> Self {
        Self {
            http,
            token: token.into(),
            encoding,
        }
    }

    /// The same peer with another token (after the credentials handshake).
    pub fn with_token(&self, token: impl Into<String>) -> Self {
        Self {
            http: self.http.clone(),
            token: token.into(),
            encoding: self.encoding,
        }
    }

    /// The `Authorization` header value for `token` in `encoding`.
    pub fn authorization(token: &str, encoding: TokenEncoding) -> String {
        match encoding {
            TokenEncoding::Base64 => format!("Token {}", BASE64.encode(token.as_bytes())),
            TokenEncoding::Raw => format!("Token {token}"),
        }
    }

    fn headers(&self, correlation_id: &str) -> Result<HeaderMap, OcpiError> {
        let mut headers = HeaderMap::new();
        let auth = HeaderValue::from_str(&Self::authorization(&self.token, self.encoding))
            .map_err(|_| {
                OcpiError::InvalidRequest(
                    "the token holds characters not allowed in a header".into(),
                )
            })?;
        headers.insert(reqwest::header::AUTHORIZATION, auth);
        let request_id = HeaderValue::from_str(&Uuid::new_v4().to_string())
            .map_err(|_| OcpiError::InvalidRequest("request id".into()))?;
        headers.insert("X-Request-ID", request_id);
        let correlation = HeaderValue::from_str(correlation_id)
            .map_err(|_| OcpiError::InvalidRequest("correlation id".into()))?;
        headers.insert("X-Correlation-ID", correlation);
        Ok(headers)
    }

    /// `GET url`, returning the envelope's `data`.
    pub async fn get<T: DeserializeOwned>(&self, url: &str) -> Result<T, OcpiError> {
        let (data, _) = self.get_page(url, &Uuid::new_v4().to_string()).await?;
        data.ok_or_else(|| {
            OcpiError::InvalidResponse(format!("GET {url}: the envelope has no data"))
        })
    }

    /// `GET url` and every following page, concatenated in order.
    pub async fn get_all<T: DeserializeOwned>(&self, url: &str) -> Result<Vec<T>, OcpiError> {
        let correlation_id = Uuid::new_v4().to_string();
        let mut items = Vec::new();
        let mut next = Some(url.to_owned());
        let mut seen = std::collections::HashSet::new();
        let mut total = None;
        while let Some(page_url) = next.take() {
            if !seen.insert(page_url.clone()) || seen.len() > MAX_PAGES {
                return Err(OcpiError::InvalidResponse(format!(
                    "pagination loops at {page_url}"
                )));
            }
            let (data, headers) = self.get_page::<Vec<T>>(&page_url, &correlation_id).await?;
            total = total.or_else(|| header_number(&headers, "X-Total-Count"));
            items.extend(data.unwrap_or_default());
            next = next_link(&headers);
        }
        // Objects may change between pages; fewer than announced is worth a note, not an error
        // (the next poll's overlap picks up what moved).
        if let Some(total) = total.filter(|total| items.len() < *total) {
            tracing::debug!(
                ocpi.total_count = total,
                ocpi.received = items.len(),
                "fewer objects than X-Total-Count announced"
            );
        }
        Ok(items)
    }

    async fn get_page<T: DeserializeOwned>(
        &self,
        url: &str,
        correlation_id: &str,
    ) -> Result<(Option<T>, HeaderMap), OcpiError> {
        let response = self
            .http
            .get(url)
            .headers(self.headers(correlation_id)?)
            .send()
            .await?;
        let headers = response.headers().clone();
        let data = unwrap_envelope("GET", url, response).await?;
        Ok((data, headers))
    }

    /// `PUT url` with a JSON body, returning the envelope's `data` if any.
    pub async fn put<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        url: &str,
        body: &B,
    ) -> Result<Option<T>, OcpiError> {
        self.send(self.http.put(url), "PUT", url, Some(body)).await
    }

    /// `POST url` with a JSON body, returning the envelope's `data` if any.
    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        url: &str,
        body: &B,
    ) -> Result<Option<T>, OcpiError> {
        self.send(self.http.post(url), "POST", url, Some(body))
            .await
    }

    /// `PATCH url` with a JSON object of changed fields (as a CPO pushes session updates).
    pub async fn patch_json(
        &self,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<Option<serde_json::Value>, OcpiError> {
        self.send(self.http.patch(url), "PATCH", url, Some(body))
            .await
    }

    /// `DELETE url`, returning the envelope's `data` if any.
    pub async fn delete<T: DeserializeOwned>(&self, url: &str) -> Result<Option<T>, OcpiError> {
        self.send::<(), T>(self.http.delete(url), "DELETE", url, None)
            .await
    }

    async fn send<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        method: &str,
        url: &str,
        body: Option<&B>,
    ) -> Result<Option<T>, OcpiError> {
        let mut request = request.headers(self.headers(&Uuid::new_v4().to_string())?);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        unwrap_envelope(method, url, response).await
    }
}

/// Checks the HTTP status and the OCPI status code, and returns `data`.
async fn unwrap_envelope<T: DeserializeOwned>(
    method: &str,
    url: &str,
    response: reqwest::Response,
) -> Result<Option<T>, OcpiError> {
    let status = response.status();
    if status == reqwest::StatusCode::UNAUTHORIZED {
        return Err(OcpiError::Unauthorized);
    }
    let text = response.text().await?;
    let envelope: Envelope<T> = match serde_json::from_str(&text) {
        Ok(envelope) => envelope,
        Err(_) if !status.is_success() => {
            return Err(OcpiError::Http {
                status: status.as_u16(),
            });
        }
        Err(error) => {
            return Err(OcpiError::InvalidResponse(format!(
                "{method} {url}: {error}"
            )));
        }
    };
    if !(1000..2000).contains(&envelope.status_code) {
        return Err(OcpiError::Status {
            code: envelope.status_code,
            message: envelope.status_message.unwrap_or_default(),
        });
    }
    if !status.is_success() {
        return Err(OcpiError::Http {
            status: status.as_u16(),
        });
    }
    Ok(envelope.data)
}

/// A numeric header such as `X-Total-Count` or `X-Limit`.
pub fn header_number(headers: &HeaderMap, name: &str) -> Option<usize> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// The `rel="next"` target of a `Link` header, if any.
pub fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(LINK)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .find_map(|link| {
            let (target, params) = link.split_once(';')?;
            let is_next = params.split(';').any(|param| {
                let param = param.trim().to_ascii_lowercase();
                param == "rel=\"next\"" || param == "rel=next"
            });
            let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
            is_next.then(|| target.to_owned())
        })
}

/// Joins an endpoint URL and a path segment with exactly one `/` (OCPI templates assume the
/// endpoint ends in `/`; many do not).
pub fn join(base: &str, segment: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        segment.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_base64_with_padding_unless_the_peer_wants_it_raw() {
        assert_eq!(
            OcpiClient::authorization("example-token", TokenEncoding::Base64),
            "Token ZXhhbXBsZS10b2tlbg=="
        );
        assert_eq!(
            OcpiClient::authorization("example-token", TokenEncoding::Raw),
            "Token example-token"
        );
    }

    #[test]
    fn the_next_link_is_found_among_others_and_absent_on_the_last_page() {
        let mut headers = HeaderMap::new();
        headers.insert(
            LINK,
            HeaderValue::from_static("<https://h/prev?offset=0>; rel=\"prev\", <https://h/s?offset=100&limit=100>; rel=\"next\""),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://h/s?offset=100&limit=100")
        );
        assert_eq!(next_link(&HeaderMap::new()), None);
    }

    #[test]
    fn joining_tolerates_missing_and_doubled_slashes() {
        assert_eq!(join("https://h/cp", "42"), "https://h/cp/42");
        assert_eq!(join("https://h/cp/", "/42"), "https://h/cp/42");
    }
}
