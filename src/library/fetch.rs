//! Fetching a text's bytes from where a chat service keeps an attachment: over HTTPS only, from
//! the hosts named (Discord's file servers), within a size limit that is checked against what the
//! sender declared, what the server says, and what actually arrives.

use std::time::Duration;

/// The hosts Discord serves attachments from.
pub const DISCORD_HOSTS: &[&str] = &["cdn.discordapp.com", "media.discordapp.net"];

/// How long a download may take.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Why an attachment was not fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Not an `https://` URL on one of the allowed hosts.
    NotAllowed,
    /// Larger than `max` bytes (declared, announced or received).
    TooLarge { size: u64, max: u64 },
    /// The server answered with this status.
    Status(u16),
    /// The connection failed or timed out.
    Failed(String),
}

/// HTTPS, on one of `hosts`, with no credentials in it.
fn allowed(url: &reqwest::Url, hosts: &[&str]) -> bool {
    url.scheme() == "https"
        && url
            .host_str()
            .is_some_and(|h| hosts.iter().any(|a| h.eq_ignore_ascii_case(a)))
        && url.username().is_empty()
        && url.password().is_none()
}

/// A client for attachments: no redirects followed (Discord's file servers answer directly).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

/// Downloads `url` (declared `size` bytes) if it is HTTPS on one of `hosts`, refusing more than
/// `max` bytes.
pub async fn fetch(
    client: &reqwest::Client,
    url: &str,
    size: u64,
    max: u64,
    hosts: &[&str],
) -> Result<Vec<u8>, FetchError> {
    let parsed = reqwest::Url::parse(url).map_err(|_| FetchError::NotAllowed)?;
    if !allowed(&parsed, hosts) {
        return Err(FetchError::NotAllowed);
    }
    if size > max {
        return Err(FetchError::TooLarge { size, max });
    }
    let mut response = client
        .get(parsed)
        .timeout(TIMEOUT)
        .send()
        .await
        .map_err(|e| FetchError::Failed(e.without_url().to_string()))?;
    // A redirect the client followed must have stayed on an allowed host, over HTTPS.
    if !allowed(response.url(), hosts) {
        return Err(FetchError::NotAllowed);
    }
    if !response.status().is_success() {
        return Err(FetchError::Status(response.status().as_u16()));
    }
    if let Some(announced) = response.content_length()
        && announced > max
    {
        return Err(FetchError::TooLarge {
            size: announced,
            max,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size.min(max)).unwrap_or(0));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| FetchError::Failed(e.without_url().to_string()))?
    {
        if (bytes.len() + chunk.len()) as u64 > max {
            return Err(FetchError::TooLarge {
                size: (bytes.len() + chunk.len()) as u64,
                max,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
