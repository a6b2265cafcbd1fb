//! The JSON header and claims of a token, each read in one strict pass.
//!
//! The rules are those of [`strict_json`](crate::strict_json): one object, unique member names
//! at every depth. The members the verifier checks are read straight into typed fields rather
//! than into a `Map` first: building and taking apart two maps per request cost more than the
//! HMAC itself, and the middleware runs this on every authenticated request.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::strict_json::{Name, StrictValue, StrictVisitor};

use super::MAX_TIMESTAMP;

/// A header member the verifier reads.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Member<'a> {
    /// Not in the header.
    Absent,
    /// A JSON string.
    Text(Cow<'a, str>),
    /// Any other JSON value.
    Other,
}

impl Member<'_> {
    /// The member's text, when it is a string.
    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text),
            Self::Absent | Self::Other => None,
        }
    }
}

/// The JOSE header, as far as the verifier reads it.
#[derive(Debug)]
pub(super) struct Header<'a> {
    pub(super) alg: Member<'a>,
    pub(super) kid: Member<'a>,
    pub(super) typ: Member<'a>,
    /// Whether `crit` is present, whatever its value.
    pub(super) crit: bool,
}

/// The claims: the registered ones typed, the application's own in `rest`.
///
/// A registered claim of the wrong JSON type fails the whole parse, as does an empty string
/// where a string is required and a `NumericDate` that is not an integer from 0 to the end of
/// year 9999.
#[derive(Debug, Default)]
pub(super) struct Claims {
    pub(super) sub: Option<String>,
    pub(super) sid: Option<String>,
    pub(super) jti: Option<String>,
    pub(super) iat: Option<i64>,
    pub(super) exp: Option<i64>,
    pub(super) nbf: Option<i64>,
    pub(super) iss: Option<String>,
    /// Checked by the verifier after the time claims, so kept as it came.
    pub(super) aud: Option<Value>,
    pub(super) rest: Map<String, Value>,
}

/// Parses a decoded header segment.
pub(super) fn header(bytes: &[u8]) -> Option<Header<'_>> {
    parse(bytes, HeaderVisitor)
}

/// Parses a decoded claims segment.
pub(super) fn claims(bytes: &[u8]) -> Option<Claims> {
    parse(bytes, ClaimsVisitor)
}

fn parse<'de, V: Visitor<'de>>(bytes: &'de [u8], visitor: V) -> Option<V::Value> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = (&mut deserializer).deserialize_map(visitor).ok()?;
    deserializer.end().ok()?;
    Some(value)
}

fn duplicate<E: de::Error>() -> E {
    E::custom("duplicate member name")
}

fn set_once<T, E: de::Error>(slot: &mut Option<T>, value: T) -> Result<(), E> {
    match slot.replace(value) {
        None => Ok(()),
        Some(_) => Err(duplicate()),
    }
}

struct HeaderVisitor;

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = Header<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JOSE header object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Header<'de>, A::Error> {
        let mut header = Header {
            alg: Member::Absent,
            kid: Member::Absent,
            typ: Member::Absent,
            crit: false,
        };
        // A set, not a list: the header is parsed before the signature is checked, so a
        // stranger chooses how many members it has, and a list scan per member would make
        // that quadratic in the header's length.
        let mut others: HashSet<Cow<'de, str>> = HashSet::new();
        while let Some(Name(name)) = access.next_key()? {
            let slot = match &*name {
                "alg" => &mut header.alg,
                "kid" => &mut header.kid,
                "typ" => &mut header.typ,
                _ => {
                    header.crit |= name == "crit";
                    if !others.insert(name) {
                        return Err(duplicate());
                    }
                    access.next_value::<StrictValue>()?;
                    continue;
                }
            };
            if *slot != Member::Absent {
                return Err(duplicate());
            }
            *slot = access.next_value()?;
        }
        Ok(header)
    }
}

struct ClaimsVisitor;

impl<'de> Visitor<'de> for ClaimsVisitor {
    type Value = Claims;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWT claims object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Claims, A::Error> {
        let mut claims = Claims::default();
        while let Some(Name(name)) = access.next_key()? {
            match &*name {
                "sub" => set_once(&mut claims.sub, access.next_value_seed(NonEmptyText)?)?,
                "sid" => set_once(&mut claims.sid, access.next_value_seed(NonEmptyText)?)?,
                "jti" => set_once(&mut claims.jti, access.next_value_seed(NonEmptyText)?)?,
                "iss" => set_once(&mut claims.iss, access.next_value_seed(NonEmptyText)?)?,
                "iat" => set_once(&mut claims.iat, access.next_value_seed(NumericDate)?)?,
                "exp" => set_once(&mut claims.exp, access.next_value_seed(NumericDate)?)?,
                "nbf" => set_once(&mut claims.nbf, access.next_value_seed(NumericDate)?)?,
                "aud" => set_once(&mut claims.aud, access.next_value::<StrictValue>()?.0)?,
                _ => {
                    let StrictValue(value) = access.next_value()?;
                    if claims.rest.insert(name.into_owned(), value).is_some() {
                        return Err(duplicate());
                    }
                }
            }
        }
        Ok(claims)
    }
}

impl<'de> Deserialize<'de> for Member<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MemberVisitor)
    }
}

/// Keeps a string; anything else is only checked (nested names unique) and noted as `Other`.
struct MemberVisitor;

impl<'de> Visitor<'de> for MemberVisitor {
    type Value = Member<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value without duplicate object keys")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Member::Text(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Member::Text(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Member::Text(Cow::Owned(v)))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Member::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Member::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Member::Other)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        StrictVisitor.visit_f64(v).map(|_| Member::Other)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Member::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        StrictVisitor.visit_seq(seq).map(|_| Member::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        StrictVisitor.visit_map(map).map(|_| Member::Other)
    }
}

/// A non-empty JSON string (`sub`, `sid`, `jti`, `iss`).
struct NonEmptyText;

impl<'de> DeserializeSeed<'de> for NonEmptyText {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NonEmptyText {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-empty string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        self.visit_string(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        if v.is_empty() {
            return Err(E::invalid_length(0, &self));
        }
        Ok(v)
    }
}

/// A `NumericDate` (`iat`, `exp`, `nbf`): an integer number of seconds from 0 to the end of
/// year 9999. Fractions are refused, as every token this crate issues has none.
struct NumericDate;

impl<'de> DeserializeSeed<'de> for NumericDate {
    type Value = i64;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<i64, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NumericDate {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer NumericDate")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        if (0..=MAX_TIMESTAMP).contains(&v) {
            Ok(v)
        } else {
            Err(E::invalid_value(de::Unexpected::Signed(v), &self))
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        match i64::try_from(v) {
            Ok(v) => self.visit_i64(v),
            Err(_) => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_members_are_read_whatever_their_order() {
        let parsed =
            header(br#"{"typ":"at+jwt","kid":"k1","alg":"HS256"}"#).expect("a valid header");
        assert_eq!(parsed.alg.as_str(), Some("HS256"));
        assert_eq!(parsed.kid.as_str(), Some("k1"));
        assert_eq!(parsed.typ.as_str(), Some("at+jwt"));
        assert!(!parsed.crit);
    }

    #[test]
    fn header_with_escapes_or_other_types_is_still_read() {
        let parsed = header(br#"{"alg":"HS\u0032\u0035\u0036","kid":7,"crit":["x"],"x":{}}"#)
            .expect("a valid header");
        assert_eq!(parsed.alg.as_str(), Some("HS256"));
        assert_eq!(parsed.kid, Member::Other);
        assert_eq!(parsed.typ, Member::Absent);
        assert!(parsed.crit);
    }

    #[test]
    fn duplicate_header_names_are_rejected_at_any_depth() {
        assert!(header(br#"{"alg":"HS256","alg":"none"}"#).is_none());
        assert!(header(br#"{"kid":1,"kid":"k"}"#).is_none());
        assert!(header(br#"{"x":1,"x":2}"#).is_none());
        assert!(header(br#"{"crit":1,"crit":1}"#).is_none());
        assert!(header(br#"{"kid":{"a":1,"a":2}}"#).is_none());
        assert!(header(br#"{"jwk":[{"a":1,"a":2}]}"#).is_none());
    }

    #[test]
    fn a_duplicate_among_thousands_of_header_members_is_found() {
        // The shape that made the check quadratic: many distinct members, the repeat last.
        let members: Vec<String> = (0..5_000).map(|n| format!(r#""m{n}":0"#)).collect();
        let distinct = format!(r#"{{"alg":"HS256",{}}}"#, members.join(","));
        assert!(header(distinct.as_bytes()).is_some());
        let repeated = format!(r#"{{"alg":"HS256",{},"m17":1}}"#, members.join(","));
        assert!(header(repeated.as_bytes()).is_none());
        let escaped = format!(
            r#"{{"alg":"HS256",{},"m\u0031\u0037":1}}"#,
            members.join(",")
        );
        assert!(
            header(escaped.as_bytes()).is_none(),
            "an escaped spelling is the same name"
        );
    }

    #[test]
    fn header_must_be_one_object() {
        assert!(header(b"[]").is_none());
        assert!(header(b"\"alg\"").is_none());
        assert!(header(br#"{"alg":"HS256"} {}"#).is_none());
        assert!(header(b"").is_none());
    }

    #[test]
    fn claims_are_typed_and_the_rest_kept() {
        let parsed = claims(
            br#"{"sub":"alice","sid":"s","jti":"j","iat":1,"exp":2,"nbf":0,"iss":"i","aud":["a"],"role":{"x":[1]}}"#,
        )
        .expect("valid claims");
        assert_eq!(parsed.sub.as_deref(), Some("alice"));
        assert_eq!(
            (parsed.iat, parsed.exp, parsed.nbf),
            (Some(1), Some(2), Some(0))
        );
        assert_eq!(parsed.iss.as_deref(), Some("i"));
        assert_eq!(parsed.aud, Some(serde_json::json!(["a"])));
        assert_eq!(parsed.rest.len(), 1);
        assert_eq!(parsed.rest["role"], serde_json::json!({"x": [1]}));
    }

    #[test]
    fn registered_claims_of_the_wrong_shape_are_rejected() {
        for bad in [
            br#"{"sub":""}"#.as_slice(),
            br#"{"sub":1}"#,
            br#"{"sid":null}"#,
            br#"{"exp":"1"}"#,
            br#"{"exp":1.5}"#,
            br#"{"exp":1e3}"#,
            br#"{"iat":-1}"#,
            br#"{"nbf":253402300800}"#,
            br#"{"exp":18446744073709551615}"#,
            br#"{"iss":["i"]}"#,
        ] {
            assert!(claims(bad).is_none(), "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(
            claims(br#"{"exp":253402300799}"#).and_then(|c| c.exp),
            Some(253_402_300_799)
        );
    }

    #[test]
    fn duplicate_claim_names_are_rejected_at_any_depth() {
        assert!(claims(br#"{"exp":1,"exp":2}"#).is_none());
        assert!(claims(br#"{"aud":"a","aud":"b"}"#).is_none());
        assert!(claims(br#"{"role":1,"role":2}"#).is_none());
        assert!(claims(br#"{"role":{"a":1,"a":2}}"#).is_none());
        assert!(claims(br#"{"aud":[{"a":1,"a":2}]}"#).is_none());
    }
}
