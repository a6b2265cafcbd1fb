//! The adapter's public types print no secret in `Debug`: not `JWT_SECRET`, not the password
//! in `JWT_REDIS_URL`.

use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims};

const SECRET: &str = "adapter debug secret: 0123456789abcdef0123456789";
const REDIS_PASSWORD: &str = "redis-PASSWORD-4417";

#[test]
fn debug_of_the_adapter_types_shows_no_secret() {
    let config = JwtConfig::builder()
        .secret(SECRET)
        .redis_url(&format!("redis://:{REDIS_PASSWORD}@127.0.0.1:6379/0"))
        .build()
        .expect("valid settings");
    let auth = JwtAuth::new(config, MemoryAuthenticator::<NoClaims>::new());
    let outputs = [(
        "JwtLayer",
        format!("{:?}", jwt_axum::JwtLayer::new(auth.clone())),
    )];
    for (what, debug) in outputs {
        assert!(debug.contains("JwtAuth"), "{what}: {debug}");
        for secret in [SECRET, REDIS_PASSWORD] {
            assert!(!debug.contains(secret), "{what} shows a secret: {debug}");
        }
    }
}
