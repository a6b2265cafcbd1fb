//! The migration mode's settings: `JWT_DJANGO_SECRET_KEY` and `JWT_DJANGO_UNTIL`.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time};

use secrecy::ExposeSecret;

use super::ConfigError;
use super::builder::JwtConfigBuilder;
use crate::django::DjangoMigration;

/// Below this many bytes a Django `SECRET_KEY` is accepted (Django itself sets no minimum, and
/// the key is the Django project's, not ours to choose) but a warning is logged: Django's own
/// deployment check asks for 50 characters, and ours asks 32 bytes of `JWT_SECRET`.
const SHORT_SECRET_KEY: usize = 32;

impl JwtConfigBuilder {
    /// The migration mode, when `JWT_DJANGO_SECRET_KEY` is set.
    pub(super) fn django_migration(&self) -> Result<Option<DjangoMigration>, ConfigError> {
        let Some(secret_key) = &self.django_secret_key else {
            if self.django_until.is_some() {
                return Err(ConfigError::missing(
                    "JWT_DJANGO_SECRET_KEY",
                    "JWT_DJANGO_UNTIL ends a migration mode that is not on",
                ));
            }
            return Ok(None);
        };
        let secret_key = secret_key.0.expose_secret().as_bytes();
        if secret_key.is_empty() {
            return Err(ConfigError::invalid(
                "JWT_DJANGO_SECRET_KEY",
                "is set but empty",
            ));
        }
        let ours = self
            .secret
            .iter()
            .chain(self.secret_fallbacks.iter().flatten());
        if ours
            .into_iter()
            .any(|secret| secret.0.expose_secret().as_bytes() == secret_key)
        {
            return Err(ConfigError::invalid(
                "JWT_DJANGO_SECRET_KEY",
                "must differ from JWT_SECRET and JWT_SECRET_FALLBACKS: this library signs with \
                 a key of its own",
            ));
        }
        if secret_key.len() < SHORT_SECRET_KEY {
            tracing::warn!(
                target: "jwt_core",
                "JWT_DJANGO_SECRET_KEY is shorter than {SHORT_SECRET_KEY} bytes; tokens signed \
                 with a short key are easier to forge"
            );
        }
        let until = self.django_until.as_deref().map(parse_until).transpose()?;
        DjangoMigration::new(secret_key, until)
            .map(Some)
            .map_err(|_| ConfigError::invalid("JWT_DJANGO_SECRET_KEY", "not usable as a key"))
    }
}

/// A date is its whole day in UTC: `2027-06-30` ends at `2027-07-01T00:00:00Z`. An RFC 3339
/// instant ends the mode at that instant.
fn parse_until(text: &str) -> Result<OffsetDateTime, ConfigError> {
    let date = format_description!("[year]-[month]-[day]");
    if let Ok(day) = Date::parse(text, date) {
        return day
            .next_day()
            .map(|next| next.with_time(Time::MIDNIGHT).assume_utc())
            .ok_or_else(|| ConfigError::invalid("JWT_DJANGO_UNTIL", "too far in the future"));
    }
    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
        ConfigError::invalid(
            "JWT_DJANGO_UNTIL",
            "must be a date like 2027-06-30 or an RFC 3339 instant like 2027-06-30T18:00:00Z",
        )
    })
}
