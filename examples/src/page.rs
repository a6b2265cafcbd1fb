//! The page at `GET /`, with the configured endpoint paths written into it.

use jwt_core::JwtConfig;

/// The page served at `GET /`, for the default endpoint paths. [`crate::Demo::index_html`]
/// is the same page with the configured paths.
pub const INDEX_HTML: &str = include_str!("index.html");

/// Where the page's script finds the paths it calls: a JSON block in `INDEX_HTML`, which the
/// server replaces with the configured paths.
const DEFAULT_ENDPOINTS: &str = r#"{"login": "/jwt/login/", "refresh": "/jwt/refresh/", "logout": "/jwt/logout/", "logout_all": "/jwt/logout-all/", "whoami": "/whoami/"}"#;

/// The page with the endpoint paths of `config`.
pub(crate) fn render(config: &JwtConfig) -> String {
    let endpoints = serde_json::json!({
        "login": config.login_path(),
        "refresh": config.refresh_path(),
        "logout": config.logout_path(),
        "logout_all": config.logout_all_path(),
        "whoami": "/whoami/",
    });
    // Inside <script>, "</script>" or "<!--" in a path would end or change the block, so
    // markup characters are written as JSON escapes, which JSON.parse reads back unchanged.
    let json = endpoints
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    INDEX_HTML.replacen(DEFAULT_ENDPOINTS, &json, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> jwt_core::JwtConfigBuilder {
        JwtConfig::builder().secret("an example secret of at least 32 bytes")
    }

    #[test]
    fn page_carries_the_default_paths_once() {
        assert_eq!(INDEX_HTML.matches(DEFAULT_ENDPOINTS).count(), 1);
        let endpoints: serde_json::Value =
            serde_json::from_str(DEFAULT_ENDPOINTS).expect("valid JSON");
        let defaults = config().build().expect("valid config");
        assert_eq!(endpoints["login"], defaults.login_path());
        assert_eq!(endpoints["refresh"], defaults.refresh_path());
        assert_eq!(endpoints["logout"], defaults.logout_path());
        assert_eq!(endpoints["logout_all"], defaults.logout_all_path());
    }

    #[test]
    fn configured_paths_replace_the_defaults() {
        let config = config()
            .login_path("/auth/sign-in/")
            .refresh_path("/auth/refresh/")
            .logout_path("/auth/sign-out/")
            .logout_all_path("/auth/sign-out-all/")
            .build()
            .expect("valid config");
        let page = render(&config);
        assert!(!page.contains(DEFAULT_ENDPOINTS));
        for path in [
            "/auth/sign-in/",
            "/auth/refresh/",
            "/auth/sign-out/",
            "/auth/sign-out-all/",
        ] {
            assert!(page.contains(&format!("\"{path}\"")), "{path} missing");
        }
    }

    #[test]
    fn markup_in_a_path_cannot_end_the_script_block() {
        let config = config()
            .login_path("/</script><script>alert(1)</script>/")
            .build()
            .expect("the core accepts markup characters in a path");
        let page = render(&config);
        assert_eq!(
            page.matches("</script>").count(),
            INDEX_HTML.matches("</script>").count()
        );
        assert!(page.contains(r"/\u003c/script\u003e\u003cscript\u003ealert(1)"));
    }
}
