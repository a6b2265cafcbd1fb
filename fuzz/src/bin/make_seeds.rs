//! Writes the seed corpora under `fuzz/seeds/<target>/`: the requests of the conformance suite
//! (logins in JSON, form and multipart; tokens in headers and cookies, Django's cookie syntax,
//! origins), with real tokens of the fuzz engine, and the suite's settings variants.
//!
//! `cargo run --bin make_seeds` in `fuzz/` (stable is enough); the output is committed, and
//! `scripts/fuzz` reads it beside the growing corpus in `fuzz/corpus/`.

use std::path::Path;

use bytes::Bytes;
use jwt_core::{RequestBody, RequestHead};
use jwt_fuzz::{KID, START, access_token_of, engine, refresh_token_of, runtime};

const BOUNDARY: &str = "conformance-boundary";

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let (auth, _clock) = engine();
    let head = RequestHead::from_pairs(
        auth.config(),
        "POST",
        [("content-type", &b"application/json"[..])],
    );
    let login = runtime().block_on(auth.login(
        &head,
        RequestBody::Complete(Bytes::from_static(
            br#"{"username":"alice","password":"password1"}"#,
        )),
    ));
    let access = access_token_of(&login).expect("login sets an access token");
    let refresh = refresh_token_of(&login, auth.config()).expect("and a refresh token");

    let header = format!(r#"{{"alg":"HS256","typ":"at+jwt","kid":"{KID}"}}"#);
    let claims = format!(
        r#"{{"sub":"alice","sid":"s1","jti":"j1","iat":{START},"exp":{}}}"#,
        START + 300
    );
    let signed = |header: &str, claims: &str| {
        let mut seed = vec![1_u8];
        seed.extend_from_slice(header.as_bytes());
        seed.push(0xff);
        seed.extend_from_slice(claims.as_bytes());
        seed
    };
    let mut many_members = String::from(r#"{"alg":"HS256","typ":"at+jwt","kid":"k1""#);
    for n in 0..64 {
        many_members.push_str(&format!(r#","x{n}":{n}"#));
    }
    many_members.push('}');
    write(&root, "token_verify", &[
        ("access", [&[0_u8][..], access.as_bytes()].concat()),
        ("refresh", [&[0_u8][..], refresh.as_bytes()].concat()),
        ("signed-valid", signed(&header, &claims)),
        ("signed-refresh-typ", signed(&header.replace("at+jwt", "rt+jwt"), &claims)),
        ("signed-media-typ", signed(&header.replace("at+jwt", "application/AT+JWT"), &claims)),
        ("signed-crit", signed(&header.replace('}', r#","crit":["exp"]}"#), &claims)),
        ("signed-many-members", signed(&many_members, &claims)),
        ("signed-duplicate", signed(&header.replace('}', r#","alg":"none"}"#), &claims)),
        ("signed-nbf-aud", signed(
            &header,
            &claims.replace('}', r#","nbf":1800000100,"aud":["a","b"],"iss":"i","role":{"x":[1,2.5,null]}}"#),
        )),
        ("signed-escapes", signed(&header.replace("HS256", r"HS\u0032\u0035\u0036"), &claims)),
        ("none-alg", [&[0_u8][..], b"eyJhbGciOiJub25lIn0.e30."].concat()),
    ])?;

    let cookie = |name: &str, value: &str| format!("{name}={value}");
    let request = |method: &str, path: &str, headers: &[(&str, String)]| {
        let mut text = format!("{method} {path} HTTP/1.1\n");
        for (name, value) in headers {
            text.push_str(&format!("{name}: {value}\n"));
        }
        text.into_bytes()
    };
    let at = auth.config().access_cookie().to_owned();
    let rt = auth.config().refresh_cookie().to_owned();
    write(&root, "request_head", &[
        ("bearer", request("GET", "/whoami/", &[("Authorization", format!("Bearer {access}"))])),
        ("bearer-lowercase", request("GET", "/whoami/", &[("authorization", format!("bearer {access}"))])),
        ("basic", request("GET", "/whoami/", &[("Authorization", "Basic YWxpY2U6cHc=".into())])),
        ("cookie", request("GET", "/whoami/", &[("Cookie", format!("theme=dark; {}", cookie(&at, &access)))])),
        ("cookie-django", request("GET", "/", &[("Cookie", format!("{at}=\"Bearer {access}\""))])),
        ("cookie-twice", request("GET", "/", &[("Cookie", cookie(&at, &access)), ("Cookie", cookie(&at, "x"))])),
        ("refresh-cookie", request("POST", "/jwt/refresh/", &[
            ("Cookie", cookie(&rt, &refresh)),
            ("Origin", "https://app.example.com".into()),
            ("Sec-Fetch-Site", "same-origin".into()),
            ("Host", "app.example.com".into()),
        ])),
        ("refresh-header", request("POST", "/jwt/refresh/", &[(rt.as_str(), refresh.clone())])),
        ("logout-cross-site", request("POST", "/jwt/logout/", &[
            ("Cookie", cookie(&at, &access)),
            ("Sec-Fetch-Site", "cross-site".into()),
            ("Origin", "https://evil.example".into()),
            ("Host", "app.example.com".into()),
        ])),
        ("logout-origin-null", request("POST", "/jwt/logout-all/", &[
            ("Cookie", cookie(&at, &access)),
            ("Origin", "null".into()),
            ("Host", "127.0.0.1:8000".into()),
        ])),
        ("logout-bearer", request("POST", "/jwt/logout/", &[("Authorization", format!("Bearer {access}"))])),
        ("get-refresh", request("GET", "/jwt/refresh/", &[("Cookie", cookie(&rt, &refresh))])),
    ])?;

    let login_request = |content_type: &str, body: &str| {
        format!(
            "POST /jwt/login/ HTTP/1.1\nContent-Type: {content_type}\nContent-Length: {}\n\n{body}",
            body.len()
        )
        .into_bytes()
    };
    let multipart = |fields: &[(&str, &str)]| {
        let mut body = String::new();
        for (name, value) in fields {
            body.push_str(&format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!("--{BOUNDARY}--\r\n"));
        body
    };
    let multipart_type = format!("multipart/form-data; boundary={BOUNDARY}");
    write(&root, "login_body", &[
        ("json", login_request("application/json", r#"{"username": "alice", "password": "password1"}"#)),
        ("json-charset", login_request("application/json; charset=UTF-8", r#"{"username":"bob","password":"password2"}"#)),
        ("json-wrong", login_request("application/json", r#"{"username": "alice", "password": "wrong"}"#)),
        ("json-duplicate", login_request("application/json", r#"{"username":"alice","username":"bob","password":"x"}"#)),
        ("json-not-strings", login_request("application/json", r#"{"username":["alice"],"password":1}"#)),
        ("form", login_request("application/x-www-form-urlencoded", "username=alice&password=password1")),
        ("form-escapes", login_request("application/x-www-form-urlencoded", "username=%61lice&password=password%31&x=%FF")),
        ("multipart", login_request(&multipart_type, &multipart(&[("username", "alice"), ("password", "password1")]))),
        ("multipart-missing", login_request(&multipart_type, &multipart(&[("username", "alice")]))),
        ("multipart-no-boundary", login_request("multipart/form-data", "--x\r\n")),
        ("text-plain", login_request("text/plain", "username=alice&password=password1")),
        ("latin1", login_request("application/json; charset=latin1", "{}")),
    ])?;

    let env = |lines: &[&str]| {
        let mut seed = vec![0_u8];
        seed.extend_from_slice(lines.join("\n").as_bytes());
        seed
    };
    let toml = |text: &str| [&[1_u8][..], text.as_bytes()].concat();
    let secret = "JWT_SECRET=a fuzzing secret of at least sixty-four bytes, for HS512 as well!!";
    write(&root, "config", &[
        ("env-defaults", env(&[secret])),
        ("env-custom-header", env(&[secret, "JWT_ACCESS_HEADER=X-Access-Token"])),
        ("env-issuer-audience", env(&[secret, "JWT_ISSUER=https://issuer.example", "JWT_AUDIENCE=conformance-suite"])),
        ("env-paths-and-names", env(&[
            secret,
            "JWT_LOGIN_PATH=/auth/login",
            "JWT_REFRESH_PATH=/auth/session/refresh",
            "JWT_REFRESH_COOKIE_PATH=/auth/session/",
            "JWT_ACCESS_COOKIE=session_at",
            "JWT_REFRESH_COOKIE=session_rt",
            "JWT_COOKIE_DOMAIN=example.test",
            "JWT_TRUSTED_ORIGINS=https://trusted.example, https://b.example:8443",
        ])),
        ("env-short-lived", env(&[
            secret,
            "JWT_ALGORITHM=HS512",
            "JWT_ACCESS_DURATION=1",
            "JWT_REFRESH_DURATION=2",
            "JWT_SESSION_MAX_AGE=1",
            "JWT_REFRESH_GRACE=5",
            "JWT_LEEWAY=30",
        ])),
        ("env-small-cap", env(&[secret, "JWT_MAX_TOKEN_BYTES=1024", "JWT_KEY_ID=key-2026"])),
        ("env-samesite-none", env(&[secret, "JWT_COOKIE_SAMESITE=None", "JWT_COOKIE_SECURE=true", "JWT_LOGIN_BODY_TIMEOUT=2"])),
        ("toml-defaults", toml("secret = \"a fuzzing secret of at least thirty-two bytes\"\n")),
        ("toml-many", toml(
            "secret = \"a fuzzing secret of at least thirty-two bytes\"\naccess_duration = 10\n\
             issuer = \"https://issuer.example\"\naudience = \"api\"\ncsrf = false\n\
             trusted_origins = [\"https://a.example\"]\nmax_token_bytes = 2048\n",
        )),
    ])?;

    // One byte per choice: step kind (mod 8), then a pick. 0 login, 1 refresh, 2 logout,
    // 3 logout everywhere, 4 clock.
    write(&root, "session_flow", &[
        ("login-use-refresh", vec![0, 0, 5, 0, 1, 0, 5, 1]),
        ("login-logout-refresh", vec![0, 0, 2, 0, 1, 0, 1, 1]),
        ("two-users-logout-all", vec![0, 0, 0, 1, 0, 0, 3, 0, 1, 1, 1, 2]),
        ("refresh-replay", vec![0, 0, 1, 0, 1, 0, 4, 10, 1, 0]),
        ("clock-forward-back", vec![0, 0, 4, 15, 4, 250, 4, 255, 1, 0, 5, 0]),
        ("wrong-password", vec![0, 0x80, 0, 0, 4, 199, 1, 0]),
    ])?;
    Ok(())
}

fn write(root: &Path, target: &str, seeds: &[(&str, Vec<u8>)]) -> std::io::Result<()> {
    let dir = root.join(target);
    std::fs::create_dir_all(&dir)?;
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes)?;
    }
    Ok(())
}
