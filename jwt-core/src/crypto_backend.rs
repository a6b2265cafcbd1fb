//! The signing backend, chosen when the crate is compiled.
//!
//! jsonwebtoken picks its backend at run time and panics on the first signature when both of
//! its backends are compiled in (as `--all-features` does). This crate instead installs one
//! provider itself before any key is loaded: aws-lc-rs when the `aws_lc_rs` feature is on,
//! the pure-Rust backend otherwise. With neither feature the build fails here.

#[cfg(not(any(feature = "rust_crypto", feature = "aws_lc_rs")))]
compile_error!(
    "jwt-core needs a signing backend: enable the `rust_crypto` or the `aws_lc_rs` feature"
);

use std::sync::Once;

use jsonwebtoken::crypto::CryptoProvider;

/// Installs this crate's provider as jsonwebtoken's process default, once.
///
/// When the application installed a provider of its own first, that one stays.
pub(crate) fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // An error means a provider is already installed, by the application or by
        // jsonwebtoken from its single enabled feature, which is what we want.
        let _already_installed = selected().install_default();
    });
}

/// An HMAC-SHA-256 of `text` under a fixed, public key naming its `purpose`, computed by the
/// signing backend in use (so no other hash implementation is compiled in), in base64url.
///
/// For names that must come out the same in every process and must not show what they name
/// (a username typed at login, a token's random part): the key is no secret, the digest only
/// keeps the text out of the store and bounds its length. `None` only if the backend refuses
/// a valid key, which it does not.
pub(crate) fn digest(purpose: &str, text: &[u8]) -> Option<String> {
    install();
    let key = jsonwebtoken::EncodingKey::from_secret(purpose.as_bytes()).ok()?;
    jsonwebtoken::crypto::sign(text, &key, jsonwebtoken::Algorithm::HS256).ok()
}

#[cfg(feature = "aws_lc_rs")]
fn selected() -> &'static CryptoProvider {
    &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER
}

#[cfg(all(feature = "rust_crypto", not(feature = "aws_lc_rs")))]
fn selected() -> &'static CryptoProvider {
    &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
}
