//! The settings the suite runs every scenario under: the defaults, and non-default values that
//! change what goes over the wire.

use jsonwebtoken::EncodingKey;
use jwt_core::{Algorithm, JwtConfig, JwtConfigBuilder, KeyRing, SameSite};

/// The HMAC secret of the suite's servers (64 bytes, enough for HS512). Test-only.
const SUITE_SECRET: &str = "jwt-conformance suite secret: for tests only, never for production";

/// The Django `SECRET_KEY` of the `django-migration` variant, which the suite also signs its
/// Django-format tokens with. Test-only.
pub(crate) const SUITE_DJANGO_SECRET_KEY: &str =
    "jwt-conformance Django SECRET_KEY: for tests only, never for production";

/// An Ed25519 key generated for this suite alone. Test-only: it signs nothing real.
const SUITE_ED25519_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIE0mPwY7m3u/nWhlBL/xC1yldUhsICJ5TGF1h4IgO9zy
-----END PRIVATE KEY-----
";

/// One set of settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Variant {
    pub(crate) name: &'static str,
    settings: fn(JwtConfigBuilder) -> JwtConfigBuilder,
    key: SuiteKey,
}

#[derive(Debug, Clone, Copy)]
enum SuiteKey {
    Secret,
    Ed25519,
}

/// A variant's configuration and the key that signs its tokens (to forge some).
pub(crate) struct Configured {
    pub(crate) config: JwtConfig,
    pub(crate) signing_key: EncodingKey,
}

impl Variant {
    pub(crate) fn configure(&self) -> Result<Configured, String> {
        let mut builder = (self.settings)(JwtConfig::builder());
        let signing_key = match self.key {
            SuiteKey::Secret => {
                builder = builder.secret(SUITE_SECRET);
                EncodingKey::from_secret(SUITE_SECRET.as_bytes()).map_err(|e| e.to_string())?
            }
            SuiteKey::Ed25519 => {
                let ring =
                    KeyRing::from_private_pem(Algorithm::EdDSA, SUITE_ED25519_PEM.as_bytes())
                        .and_then(|ring| ring.with_key_id("conformance-ed25519"))
                        .map_err(|e| e.to_string())?;
                builder = builder.key_ring(ring);
                EncodingKey::from_ed_pem(SUITE_ED25519_PEM.as_bytes()).map_err(|e| e.to_string())?
            }
        };
        let config = builder.build().map_err(|e| e.to_string())?;
        Ok(Configured {
            config,
            signing_key,
        })
    }
}

/// Every variant, the defaults first.
pub(crate) fn variants() -> Vec<Variant> {
    let variant = |name, settings, key| Variant {
        name,
        settings,
        key,
    };
    vec![
        variant("default", |b| b, SuiteKey::Secret),
        variant(
            "dashed-header",
            |b| b.access_header("X-Access-Token"),
            SuiteKey::Secret,
        ),
        variant(
            "keep-access-cookie",
            |b| b.logout_access(false),
            SuiteKey::Secret,
        ),
        variant("no-rotation", |b| b.rotate_refresh(false), SuiteKey::Secret),
        variant(
            "samesite-lax",
            |b| b.cookie_same_site(SameSite::Lax),
            SuiteKey::Secret,
        ),
        variant(
            "samesite-none",
            |b| b.cookie_same_site(SameSite::None),
            SuiteKey::Secret,
        ),
        variant(
            "issuer-audience",
            |b| {
                b.issuer("https://issuer.example")
                    .audience("conformance-suite")
            },
            SuiteKey::Secret,
        ),
        variant("eddsa", |b| b, SuiteKey::Ed25519),
        variant("strict-logout", |b| b.strict_logout(true), SuiteKey::Secret),
        variant(
            "custom-names",
            |b| {
                b.login_path("/auth/login")
                    .refresh_path("/auth/session/refresh")
                    .refresh_cookie_path("/auth/session/")
                    .logout_path("/auth/logout")
                    .logout_all_path("/auth/logout/everywhere")
                    .access_cookie("session_at")
                    .refresh_cookie("session_rt")
                    .cookie_domain("example.test")
                    .trusted_origin("https://trusted.example")
                    .jwks_path("/auth/keys")
                    .trusted_proxy("127.0.0.0/8")
            },
            SuiteKey::Secret,
        ),
        variant(
            "plain-cookies",
            |b| {
                b.cookie_secure(false)
                    .cookie_http_only(false)
                    .login_max_failures(0)
            },
            SuiteKey::Secret,
        ),
        variant(
            "short-sessions",
            |b| {
                b.algorithm("HS512")
                    .access_duration_minutes(1)
                    .refresh_duration_days(2)
                    .session_max_age_days(1)
                    .refresh_grace_seconds(5)
                    .leeway_seconds(30)
                    .login_max_failures(3)
                    .login_max_failures_per_client(10)
                    .login_throttle_window_seconds(60)
            },
            SuiteKey::Secret,
        ),
        variant(
            "django-migration",
            |b| b.django_secret_key(SUITE_DJANGO_SECRET_KEY),
            SuiteKey::Secret,
        ),
    ]
}

/// The remote server's assumed settings: the defaults, with `trusted_origins` as
/// `JWT_TRUSTED_ORIGINS`. The secret only fills the required setting; the suite never signs
/// with it over TCP.
pub(crate) fn remote_defaults(trusted_origins: &[&str]) -> Result<JwtConfig, String> {
    trusted_origins
        .iter()
        .fold(JwtConfig::builder(), |builder, origin| {
            builder.trusted_origin(origin)
        })
        .secret(SUITE_SECRET)
        .build()
        .map_err(|e| e.to_string())
}
