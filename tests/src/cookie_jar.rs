//! A browser's cookie store, as far as these cookies need one (RFC 6265 section 5.3 and 5.4):
//! host-only and Domain cookies, path-match, `Max-Age` and `Expires` against the suite's clock,
//! deletion by a past expiry, and replacement by name, domain and path.
//!
//! The jar acts as a browser on a secure channel: `Secure` cookies are stored and sent even
//! over the plain-HTTP loopback connections of the suite. `HttpOnly` does not matter to a
//! client without scripts.

use cookie::Cookie;
use time::OffsetDateTime;

use crate::failure::{Failure, Outcome};

#[derive(Debug, Clone)]
struct StoredCookie {
    name: String,
    value: String,
    domain: String,
    host_only: bool,
    path: String,
    /// Unix time after which the cookie is gone; `None` for a session cookie.
    expires: Option<i64>,
    created: u64,
}

/// The cookies one browser holds.
#[derive(Debug, Clone, Default)]
pub(crate) struct CookieJar {
    cookies: Vec<StoredCookie>,
    created: u64,
}

impl CookieJar {
    /// Processes one `Set-Cookie` line received for `host` (no port) and `request_path`.
    /// A cookie the browser would ignore (a Domain that does not cover the host) is ignored.
    pub(crate) fn receive(
        &mut self,
        line: &str,
        host: &str,
        request_path: &str,
        now: i64,
    ) -> Outcome {
        let cookie = Cookie::parse(line)
            .map_err(|error| Failure::new(format!("unparsable Set-Cookie {line:?}: {error}")))?;
        let host = host.to_ascii_lowercase();
        let (domain, host_only) = match cookie.domain() {
            Some(domain) if !domain.is_empty() => {
                let domain = domain.trim_start_matches('.').to_ascii_lowercase();
                if !domain_matches(&host, &domain) {
                    return Ok(());
                }
                (domain, false)
            }
            _ => (host, true),
        };
        let path = match cookie.path() {
            Some(path) if path.starts_with('/') => path.to_owned(),
            _ => default_path(request_path),
        };
        let expires = match (cookie.max_age(), cookie.expires_datetime()) {
            (Some(max_age), _) => Some(now.saturating_add(max_age.whole_seconds())),
            (None, Some(at)) => Some(OffsetDateTime::unix_timestamp(at)),
            (None, None) => None,
        };
        let existing = self.cookies.iter().position(|stored| {
            stored.name == cookie.name() && stored.domain == domain && stored.path == path
        });
        let created = match existing {
            Some(index) => self.cookies.remove(index).created,
            None => {
                self.created += 1;
                self.created
            }
        };
        if expires.is_some_and(|expires| expires <= now) {
            return Ok(());
        }
        self.cookies.push(StoredCookie {
            name: cookie.name().to_owned(),
            value: cookie.value().to_owned(),
            domain,
            host_only,
            path,
            expires,
            created,
        });
        Ok(())
    }

    /// The `Cookie` header a browser sends to `host` and `request_path` at `now`, if any.
    pub(crate) fn header_for(&self, host: &str, request_path: &str, now: i64) -> Option<String> {
        let host = host.to_ascii_lowercase();
        let mut sent: Vec<&StoredCookie> = self
            .cookies
            .iter()
            .filter(|stored| stored.expires.is_none_or(|expires| now < expires))
            .filter(|stored| match stored.host_only {
                true => host == stored.domain,
                false => domain_matches(&host, &stored.domain),
            })
            .filter(|stored| path_matches(request_path, &stored.path))
            .collect();
        // Longer paths first, then older cookies first (RFC 6265 section 5.4, step 2).
        sent.sort_by(|a, b| {
            b.path
                .len()
                .cmp(&a.path.len())
                .then(a.created.cmp(&b.created))
        });
        let pairs: Vec<String> = sent
            .iter()
            .map(|stored| format!("{}={}", stored.name, stored.value))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }

    /// The live value of the cookie `name`, whatever its path.
    pub(crate) fn value(&self, name: &str, now: i64) -> Option<&str> {
        self.cookies
            .iter()
            .find(|stored| {
                stored.name == name && stored.expires.is_none_or(|expires| now < expires)
            })
            .map(|stored| stored.value.as_str())
    }
}

/// RFC 6265 section 5.1.3.
fn domain_matches(host: &str, domain: &str) -> bool {
    host == domain
        || (host.ends_with(domain)
            && host[..host.len() - domain.len()].ends_with('.')
            && host.parse::<std::net::IpAddr>().is_err())
}

/// RFC 6265 section 5.1.4.
fn path_matches(request_path: &str, cookie_path: &str) -> bool {
    request_path == cookie_path
        || (request_path.starts_with(cookie_path)
            && (cookie_path.ends_with('/') || request_path[cookie_path.len()..].starts_with('/')))
}

/// RFC 6265 section 5.1.4: the directory of the request path.
fn default_path(request_path: &str) -> String {
    match request_path.rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(index) => request_path[..index].to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::CookieJar;

    #[test]
    fn refresh_cookie_goes_only_under_its_path() {
        let mut jar = CookieJar::default();
        jar.receive(
            "R=x; Path=/jwt/refresh/; Max-Age=60",
            "a.test",
            "/jwt/login/",
            0,
        )
        .expect("valid line");
        assert_eq!(jar.header_for("a.test", "/whoami/", 0), None);
        assert_eq!(
            jar.header_for("a.test", "/jwt/refresh/", 0).as_deref(),
            Some("R=x")
        );
        assert_eq!(jar.header_for("a.test", "/jwt/refresh/", 60), None);
    }

    #[test]
    fn max_age_zero_deletes() {
        let mut jar = CookieJar::default();
        jar.receive("A=x; Path=/; Max-Age=60", "a.test", "/", 0)
            .expect("valid line");
        jar.receive(
            "A=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
            "a.test",
            "/",
            1,
        )
        .expect("valid line");
        assert_eq!(jar.header_for("a.test", "/", 1), None);
    }

    #[test]
    fn deletion_with_another_path_leaves_the_cookie() {
        let mut jar = CookieJar::default();
        jar.receive("A=x; Path=/; Max-Age=60", "a.test", "/", 0)
            .expect("valid line");
        jar.receive("A=; Path=/other/; Max-Age=0", "a.test", "/", 1)
            .expect("valid line");
        assert_eq!(jar.header_for("a.test", "/", 1).as_deref(), Some("A=x"));
    }

    #[test]
    fn domain_cookies_reach_subdomains_and_foreign_domains_are_ignored() {
        let mut jar = CookieJar::default();
        jar.receive(
            "A=x; Path=/; Domain=example.test",
            "app.example.test",
            "/",
            0,
        )
        .expect("valid line");
        jar.receive("B=y; Path=/; Domain=other.test", "app.example.test", "/", 0)
            .expect("valid line");
        jar.receive("C=z; Path=/", "app.example.test", "/", 0)
            .expect("valid line");
        assert_eq!(
            jar.header_for("api.example.test", "/", 0).as_deref(),
            Some("A=x")
        );
        assert_eq!(
            jar.header_for("app.example.test", "/", 0).as_deref(),
            Some("A=x; C=z")
        );
    }
}
