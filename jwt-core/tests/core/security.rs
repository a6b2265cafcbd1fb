//! The security checklist: one named test per attack on token verification.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Algorithm;
use jwt_core::{AuthRejection, Authentication, JwtConfig, TokenError};
use serde_json::json;

use crate::fixture::{Fixture, SECRET, START, forge, kid, settings, sign_raw};

fn rejected(outcome: &Authentication<crate::fixture::Role>) -> bool {
    matches!(
        outcome,
        Authentication::Rejected(AuthRejection::InvalidToken)
    )
}

fn segment(json: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(json.to_string())
}

#[tokio::test]
async fn a_well_formed_forged_token_with_the_right_key_is_accepted() {
    // The baseline every other test here departs from by one detail.
    let fixture = Fixture::new();
    let token = forge(&fixture, json!({}), json!({}));
    let principal = fixture
        .auth
        .verify_access_token(&token)
        .expect("baseline accepted");
    assert_eq!(principal.subject, "alice");
}

#[tokio::test]
async fn alg_none_in_any_case_is_rejected() {
    let fixture = Fixture::new();
    let claims = json!({"sub": "alice", "sid": "s", "jti": "j", "iat": START, "exp": START + 300, "role": "admin"});
    for alg in ["none", "None", "nOnE", "NONE"] {
        let header = json!({"alg": alg, "typ": "at+jwt", "kid": kid(&fixture)});
        let unsigned = format!("{}.{}.", segment(&header), segment(&claims));
        assert_eq!(
            fixture.auth.verify_access_token(&unsigned).err(),
            Some(TokenError::Malformed),
            "{alg}"
        );
        let with_signature = format!("{}.{}.c2lnbmF0dXJl", segment(&header), segment(&claims));
        assert_eq!(
            fixture.auth.verify_access_token(&with_signature).err(),
            Some(TokenError::AlgorithmMismatch),
            "{alg}"
        );
        assert!(rejected(&fixture.bearer(&unsigned).await));
    }
}

#[tokio::test]
async fn an_empty_signature_is_rejected() {
    let fixture = Fixture::new();
    let token = forge(&fixture, json!({}), json!({}));
    let stripped = &token[..token.rfind('.').expect("three segments") + 1];
    assert_eq!(
        fixture.auth.verify_access_token(stripped).err(),
        Some(TokenError::Malformed)
    );
}

#[tokio::test]
async fn hs256_signed_with_the_rsa_public_key_is_rejected() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keys");
    let config = JwtConfig::builder()
        .algorithm("RS256")
        .private_key_file(&dir.join("rsa.pem"))
        .build()
        .expect("valid");
    let fixture = Fixture::with_config(config);
    let public_pem = std::fs::read(dir.join("rsa.pub.pem")).expect("public key");
    let header = json!({"alg": "HS256", "typ": "at+jwt", "kid": kid(&fixture)});
    let claims = json!({"sub": "mallory", "sid": "s", "jti": "j", "iat": START, "exp": START + 300, "role": "admin"});
    let token = sign_raw(
        header.to_string().as_bytes(),
        claims.to_string().as_bytes(),
        Algorithm::HS256,
        &public_pem,
    );
    assert_eq!(
        fixture.auth.verify_access_token(&token).err(),
        Some(TokenError::AlgorithmMismatch)
    );
}

#[tokio::test]
async fn an_algorithm_other_than_the_keys_own_is_rejected() {
    let fixture = Fixture::new();
    let header = json!({"alg": "HS384", "typ": "at+jwt", "kid": kid(&fixture)});
    let claims = json!({"sub": "alice", "sid": "s", "jti": "j", "iat": START, "exp": START + 300, "role": "admin"});
    let token = sign_raw(
        header.to_string().as_bytes(),
        claims.to_string().as_bytes(),
        Algorithm::HS384,
        SECRET.as_bytes(),
    );
    assert_eq!(
        fixture.auth.verify_access_token(&token).err(),
        Some(TokenError::AlgorithmMismatch)
    );
}

#[tokio::test]
async fn header_supplied_keys_are_ignored() {
    let fixture = Fixture::new();
    let attacker_secret = b"the attacker's own secret, 32+ bytes long";
    let attacker_jwk = json!({"kty": "oct", "k": URL_SAFE_NO_PAD.encode(attacker_secret)});
    for (name, value) in [
        ("jwk", attacker_jwk),
        ("jku", json!("https://attacker.example/jwks.json")),
        ("x5u", json!("https://attacker.example/cert.pem")),
        ("x5c", json!(["MIIBattackercert"])),
    ] {
        // Signed with the attacker's key named in the header: refused.
        let header =
            json!({"alg": "HS256", "typ": "at+jwt", "kid": kid(&fixture), name: value.clone()});
        let claims = json!({"sub": "mallory", "sid": "s", "jti": "j", "iat": START, "exp": START + 300, "role": "admin"});
        let token = sign_raw(
            header.to_string().as_bytes(),
            claims.to_string().as_bytes(),
            Algorithm::HS256,
            attacker_secret,
        );
        assert_eq!(
            fixture.auth.verify_access_token(&token).err(),
            Some(TokenError::BadSignature),
            "{name}"
        );
        // Signed with our key, the header member changes nothing.
        let ours = forge(&fixture, json!({ name: value }), json!({}));
        assert!(fixture.auth.verify_access_token(&ours).is_ok(), "{name}");
    }
}

#[tokio::test]
async fn unknown_empty_and_path_like_key_ids_are_rejected() {
    let fixture = Fixture::new();
    for kid in ["unknown", "", "../../../../etc/passwd", "/dev/null", "*"] {
        let token = forge(&fixture, json!({ "kid": kid }), json!({}));
        assert_eq!(
            fixture.auth.verify_access_token(&token).err(),
            Some(TokenError::UnknownKey),
            "{kid:?}"
        );
    }
    let token = forge(&fixture, json!({ "-kid": null }), json!({}));
    assert_eq!(
        fixture.auth.verify_access_token(&token).err(),
        Some(TokenError::UnknownKey)
    );
    let token = forge(&fixture, json!({ "kid": 1 }), json!({}));
    assert_eq!(
        fixture.auth.verify_access_token(&token).err(),
        Some(TokenError::UnknownKey)
    );
}

#[test]
fn a_short_hmac_secret_is_refused_at_config_time() {
    let error = JwtConfig::builder()
        .secret("too short")
        .build()
        .expect_err("refused");
    assert_eq!(error.setting(), Some("JWT_SECRET"));
}

#[tokio::test]
async fn wrong_segment_counts_are_malformed() {
    let fixture = Fixture::new();
    let token = forge(&fixture, json!({}), json!({}));
    let parts: Vec<&str> = token.split('.').collect();
    for candidate in [
        String::new(),
        parts[0].to_owned(),
        format!("{}.{}", parts[0], parts[1]),
        format!("{token}.{}", parts[2]),
        format!("{token}."),
        format!(".{}.{}", parts[1], parts[2]),
    ] {
        assert_eq!(
            fixture.auth.verify_access_token(&candidate).err(),
            Some(TokenError::Malformed),
            "{candidate:?}"
        );
    }
}

#[tokio::test]
async fn non_base64url_padding_and_whitespace_are_malformed() {
    let fixture = Fixture::new();
    let token = forge(&fixture, json!({}), json!({}));
    let (head, rest) = token.split_once('.').expect("segments");
    for candidate in [
        format!("{head}=.{rest}"),
        format!("{head}.{}", rest.replacen('.', "+.", 1)),
        format!("{}/.{rest}", &head[..head.len() - 1]),
        format!("{head} .{rest}"),
        format!("{head}.\n{rest}"),
        format!("{token}=="),
    ] {
        assert_eq!(
            fixture.auth.verify_access_token(&candidate).err(),
            Some(TokenError::Malformed),
            "{candidate:?}"
        );
    }
    // In a header, surrounding or inner whitespace makes the header unreadable.
    assert!(rejected(
        &fixture
            .authenticate(
                "GET",
                &[("authorization", &format!("Bearer {head} .{rest}"))]
            )
            .await
    ));
}

#[tokio::test]
async fn header_or_claims_that_are_not_json_objects_are_rejected() {
    // Room for the 5,000-deep document, so that its depth is what gets it refused.
    let fixture = Fixture::with(settings().max_token_bytes(65_536));
    let header = json!({"alg": "HS256", "typ": "at+jwt", "kid": kid(&fixture)}).to_string();
    let claims = json!({"sub": "alice", "sid": "s", "jti": "j", "iat": START, "exp": START + 300})
        .to_string();
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(5000), "]".repeat(5000));
    for (header, claims, expected) in [
        (
            b"[]".to_vec(),
            claims.clone().into_bytes(),
            TokenError::Malformed,
        ),
        (
            b"\"HS256\"".to_vec(),
            claims.clone().into_bytes(),
            TokenError::Malformed,
        ),
        (
            vec![0xff, 0xfe, b'{', b'}'],
            claims.clone().into_bytes(),
            TokenError::Malformed,
        ),
        (
            header.clone().into_bytes(),
            b"[1,2]".to_vec(),
            TokenError::InvalidClaims,
        ),
        (
            header.clone().into_bytes(),
            b"null".to_vec(),
            TokenError::InvalidClaims,
        ),
        (
            header.clone().into_bytes(),
            vec![b'{', 0xc3, 0x28, b'}'],
            TokenError::InvalidClaims,
        ),
        (
            header.clone().into_bytes(),
            deep.into_bytes(),
            TokenError::InvalidClaims,
        ),
    ] {
        let token = sign_raw(&header, &claims, Algorithm::HS256, SECRET.as_bytes());
        assert_eq!(
            fixture.auth.verify_access_token(&token).err(),
            Some(expected)
        );
    }
}

#[tokio::test]
async fn duplicate_claim_names_are_rejected() {
    let fixture = Fixture::new();
    let header = json!({"alg": "HS256", "typ": "at+jwt", "kid": kid(&fixture)}).to_string();
    let claims = format!(
        r#"{{"sub":"alice","sid":"s","jti":"j","iat":{START},"exp":{},"exp":{},"role":"admin"}}"#,
        START - 10,
        START + 300
    );
    let token = sign_raw(
        header.as_bytes(),
        claims.as_bytes(),
        Algorithm::HS256,
        SECRET.as_bytes(),
    );
    assert_eq!(
        fixture.auth.verify_access_token(&token).err(),
        Some(TokenError::InvalidClaims)
    );
    let header_twice = format!(
        r#"{{"alg":"HS256","alg":"none","typ":"at+jwt","kid":"{}"}}"#,
        kid(&fixture)
    );
    let token = sign_raw(
        header_twice.as_bytes(),
        b"{}",
        Algorithm::HS256,
        SECRET.as_bytes(),
    );
    assert_eq!(
        fixture.auth.verify_access_token(&token).err(),
        Some(TokenError::Malformed)
    );
}

#[tokio::test]
async fn a_token_over_the_size_cap_is_rejected_before_decoding() {
    let fixture = Fixture::with(settings().max_token_bytes(1024));
    let padding = "x".repeat(2000);
    let token = forge(&fixture, json!({}), json!({ "padding": padding }));
    assert_eq!(
        fixture.auth.verify_access_token(&token).err(),
        Some(TokenError::TooLarge)
    );
    // The cap applies before anything else: even garbage of that size is "too large".
    assert_eq!(
        fixture.auth.verify_access_token(&"!".repeat(1025)).err(),
        Some(TokenError::TooLarge)
    );
}

#[tokio::test]
async fn a_crit_header_is_rejected() {
    let fixture = Fixture::new();
    let token = forge(&fixture, json!({"crit": ["exp"], "exp": 0}), json!({}));
    assert_eq!(
        fixture.auth.verify_access_token(&token).err(),
        Some(TokenError::CriticalHeader)
    );
}

#[tokio::test]
async fn expiry_is_checked_with_the_leeway_to_the_second() {
    let fixture = Fixture::with(settings().leeway_seconds(60));
    let token = forge(&fixture, json!({}), json!({ "exp": START }));
    fixture.clock.set_unix(START + 59);
    assert!(
        fixture.auth.verify_access_token(&token).is_ok(),
        "one second inside the leeway"
    );
    fixture.clock.set_unix(START + 60);
    assert_eq!(
        fixture.auth.verify_access_token(&token).err(),
        Some(TokenError::Expired),
        "at the leeway's end"
    );
    fixture.clock.set_unix(START + 61);
    assert_eq!(
        fixture.auth.verify_access_token(&token).err(),
        Some(TokenError::Expired),
        "one second past"
    );
}

#[tokio::test]
async fn expiry_without_leeway_ends_at_exp() {
    let fixture = Fixture::new();
    let token = forge(&fixture, json!({}), json!({ "exp": START + 1 }));
    assert!(fixture.auth.verify_access_token(&token).is_ok());
    fixture.clock.set_unix(START + 1);
    assert_eq!(
        fixture.auth.verify_access_token(&token).err(),
        Some(TokenError::Expired)
    );
}

#[tokio::test]
async fn exp_missing_null_string_fractional_or_huge_is_rejected() {
    let fixture = Fixture::new();
    for exp in [
        json!({"-exp": null}),
        json!({"exp": null}),
        json!({"exp": "1900000000"}),
        json!({"exp": 1.9e9}),
        json!({"exp": 1e300}),
        json!({"exp": u64::MAX}),
        json!({"exp": i64::MAX}),
        json!({"exp": -1}),
        json!({"exp": true}),
    ] {
        let token = forge(&fixture, json!({}), exp.clone());
        assert_eq!(
            fixture.auth.verify_access_token(&token).err(),
            Some(TokenError::InvalidClaims),
            "{exp}"
        );
    }
}

#[tokio::test]
async fn nbf_and_iat_in_the_future_are_rejected() {
    let fixture = Fixture::with(settings().leeway_seconds(5));
    let token = forge(&fixture, json!({}), json!({ "nbf": START + 6 }));
    assert_eq!(
        fixture.auth.verify_access_token(&token).err(),
        Some(TokenError::NotYetValid)
    );
    let token = forge(&fixture, json!({}), json!({ "nbf": START + 5 }));
    assert!(
        fixture.auth.verify_access_token(&token).is_ok(),
        "within the leeway"
    );
    let token = forge(&fixture, json!({}), json!({ "iat": START + 6 }));
    assert_eq!(
        fixture.auth.verify_access_token(&token).err(),
        Some(TokenError::IssuedInFuture)
    );
    let token = forge(&fixture, json!({}), json!({ "iat": START + 5 }));
    assert!(
        fixture.auth.verify_access_token(&token).is_ok(),
        "within the leeway"
    );
}

#[tokio::test]
async fn wrong_or_missing_issuer_and_audience_are_rejected_when_configured() {
    let fixture = Fixture::with(settings().issuer("https://issuer.example").audience("api"));
    let good = json!({"iss": "https://issuer.example", "aud": "api"});
    assert!(
        fixture
            .auth
            .verify_access_token(&forge(&fixture, json!({}), good))
            .is_ok()
    );
    let as_list = json!({"iss": "https://issuer.example", "aud": ["other", "api"]});
    assert!(
        fixture
            .auth
            .verify_access_token(&forge(&fixture, json!({}), as_list))
            .is_ok()
    );
    for (claims, expected) in [
        (json!({"aud": "api"}), TokenError::WrongIssuer),
        (
            json!({"iss": "https://evil.example", "aud": "api"}),
            TokenError::WrongIssuer,
        ),
        (
            json!({"iss": "https://issuer.example"}),
            TokenError::WrongAudience,
        ),
        (
            json!({"iss": "https://issuer.example", "aud": "other"}),
            TokenError::WrongAudience,
        ),
        (
            json!({"iss": "https://issuer.example", "aud": []}),
            TokenError::WrongAudience,
        ),
    ] {
        let token = forge(&fixture, json!({}), claims.clone());
        assert_eq!(
            fixture.auth.verify_access_token(&token).err(),
            Some(expected),
            "{claims}"
        );
    }
    // Tokens it issues itself carry both.
    let tokens = fixture.login().await;
    assert!(fixture.bearer(&tokens.access).await.require().is_ok());
}

#[tokio::test]
async fn claims_of_the_wrong_json_type_are_rejected() {
    let fixture = Fixture::with(settings().issuer("https://issuer.example"));
    for claims in [
        json!({"iss": 1}),
        json!({"sub": []}),
        json!({"sub": 42}),
        json!({"sub": ""}),
        json!({"sid": {"a": 1}}),
        json!({"jti": null}),
        json!({"aud": 7, "iss": "https://issuer.example"}),
        json!({"aud": [1], "iss": "https://issuer.example"}),
        json!({"role": 5, "iss": "https://issuer.example"}),
        json!({"-role": null, "iss": "https://issuer.example"}),
    ] {
        let token = forge(&fixture, json!({}), claims.clone());
        assert_eq!(
            fixture.auth.verify_access_token(&token).err(),
            Some(TokenError::InvalidClaims),
            "{claims}"
        );
    }
}

#[tokio::test]
async fn a_refresh_token_is_not_an_access_token() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    assert_eq!(
        fixture.auth.verify_access_token(&tokens.refresh).err(),
        Some(TokenError::WrongKind)
    );
    assert!(rejected(&fixture.bearer(&tokens.refresh).await));
    let cookie = fixture.access_cookie(&tokens.refresh);
    assert!(rejected(
        &fixture.authenticate("GET", &[("cookie", &cookie)]).await
    ));
    let missing_typ = forge(&fixture, json!({"-typ": null}), json!({}));
    assert_eq!(
        fixture.auth.verify_access_token(&missing_typ).err(),
        Some(TokenError::WrongKind)
    );
    let generic_typ = forge(&fixture, json!({"typ": "JWT"}), json!({}));
    assert_eq!(
        fixture.auth.verify_access_token(&generic_typ).err(),
        Some(TokenError::WrongKind)
    );
    let media_type = forge(&fixture, json!({"typ": "application/AT+JWT"}), json!({}));
    assert!(
        fixture.auth.verify_access_token(&media_type).is_ok(),
        "typ compares as a media type"
    );
}

#[tokio::test]
async fn an_access_token_is_not_a_refresh_token() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    let reply = fixture.refresh_with(&tokens.access).await;
    assert_eq!(reply.status(), 403);
    let header = fixture.auth.config().refresh_header().as_str().to_owned();
    let reply = fixture
        .post(jwt_core::Endpoint::Refresh, &[(&header, &tokens.access)])
        .await;
    assert_eq!(reply.status(), 403);
}

#[tokio::test]
async fn a_tampered_payload_fails_the_signature() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    let parts: Vec<&str> = tokens.access.split('.').collect();
    let mut claims = crate::fixture::claims_of(&tokens.access);
    claims["sub"] = json!("mallory");
    let tampered = format!("{}.{}.{}", parts[0], segment(&claims), parts[2]);
    assert_eq!(
        fixture.auth.verify_access_token(&tampered).err(),
        Some(TokenError::BadSignature)
    );
    let mut flipped = tokens.access.clone().into_bytes();
    let last = flipped.len() - 2;
    flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).expect("ASCII");
    assert_eq!(
        fixture.auth.verify_access_token(&flipped).err(),
        Some(TokenError::BadSignature)
    );
}

#[tokio::test]
async fn django_package_tokens_are_not_accepted() {
    let fixture = Fixture::new();
    let header = json!({"alg": "HS256", "typ": "JWT"}).to_string();
    let claims = json!({"user": 1, "tok": "access", "sec": 1, "exp": START + 300}).to_string();
    let token = sign_raw(
        header.as_bytes(),
        claims.as_bytes(),
        Algorithm::HS256,
        SECRET.as_bytes(),
    );
    assert!(fixture.auth.verify_access_token(&token).is_err());
    assert!(rejected(&fixture.bearer(&token).await));
}

#[tokio::test]
async fn two_access_cookies_are_rejected_as_ambiguous() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    let cookie = fixture.access_cookie(&tokens.access);
    let twice = format!("{cookie}; {cookie}");
    assert!(rejected(
        &fixture.authenticate("GET", &[("cookie", &twice)]).await
    ));
    assert!(rejected(
        &fixture
            .authenticate("GET", &[("cookie", &cookie), ("cookie", &cookie)])
            .await
    ));
    let forged = format!("{}; {cookie}", fixture.access_cookie("x.y.z"));
    assert!(rejected(
        &fixture.authenticate("GET", &[("cookie", &forged)]).await
    ));
}

#[tokio::test]
async fn two_refresh_cookies_are_rejected_as_ambiguous() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    let name = fixture.auth.config().refresh_cookie();
    let twice = format!("{name}={}; {name}={}", tokens.refresh, tokens.refresh);
    let reply = fixture
        .post(jwt_core::Endpoint::Refresh, &[("cookie", &twice)])
        .await;
    assert_eq!(reply.status(), 403);
}

#[tokio::test]
async fn non_utf8_cookie_bytes_are_read_as_absent() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    let config = fixture.auth.config();
    let mut garbage = b"theme=\xff\xfe; ".to_vec();
    garbage.extend_from_slice(fixture.access_cookie(&tokens.access).as_bytes());
    let head = jwt_core::RequestHead::from_pairs(config, "GET", [("cookie", garbage.as_slice())]);
    assert!(matches!(
        fixture.auth.authenticate(&head).await,
        Authentication::Anonymous
    ));
    let good = fixture.access_cookie(&tokens.access);
    let head = jwt_core::RequestHead::from_pairs(
        config,
        "GET",
        [
            ("cookie", b"x=\xff".as_slice()),
            ("cookie", good.as_bytes()),
        ],
    );
    assert!(
        fixture.auth.authenticate(&head).await.require().is_ok(),
        "other cookie fields still count"
    );
}
