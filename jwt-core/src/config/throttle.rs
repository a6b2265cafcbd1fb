//! The login throttle's settings and the trusted proxies.

use time::Duration;

use super::ConfigError;
use super::builder::JwtConfigBuilder;
use crate::throttle::Limits;

/// A day: a longer window only keeps a mistyped password counted against its owner longer.
const MAX_WINDOW_SECONDS: u64 = 86_400;

impl JwtConfigBuilder {
    /// `JWT_LOGIN_MAX_FAILURES`, `JWT_LOGIN_MAX_FAILURES_PER_CLIENT` and
    /// `JWT_LOGIN_THROTTLE_WINDOW`.
    pub(super) fn login_throttle(&self) -> Result<Limits, ConfigError> {
        let window = self.login_throttle_window.unwrap_or(900);
        if !(1..=MAX_WINDOW_SECONDS).contains(&window) {
            return Err(ConfigError::invalid(
                "JWT_LOGIN_THROTTLE_WINDOW",
                format!("must be between 1 and {MAX_WINDOW_SECONDS} seconds"),
            ));
        }
        let limit = |value: Option<u32>, default| match value.unwrap_or(default) {
            0 => None,
            limit => Some(limit),
        };
        Ok(Limits {
            per_pair: limit(self.login_max_failures, 5),
            per_client: limit(self.login_max_failures_per_client, 50),
            window: Duration::seconds(window as i64),
        })
    }

    /// `JWT_TRUSTED_PROXIES`: CIDR blocks, or single addresses.
    pub(super) fn trusted_proxies(&self) -> Result<Vec<ipnet::IpNet>, ConfigError> {
        self.trusted_proxies
            .iter()
            .flatten()
            .map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<ipnet::IpNet>()
                    .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| {
                        ConfigError::invalid(
                            "JWT_TRUSTED_PROXIES",
                            format!("{entry:?} is not a CIDR block like 10.0.0.0/8 or an address"),
                        )
                    })
            })
            .collect()
    }
}
