//! JSON parsing for token headers and claims: objects only, no duplicate names at any depth.
//!
//! Two parsers that disagree on which of two duplicate `exp` claims wins are a classic way to
//! smuggle a value past validation, so a duplicate name anywhere makes the whole document
//! invalid. Nesting depth is bounded by serde_json's own recursion limit (128), so a
//! 5,000-deep document is an error, not a stack overflow.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Parses `bytes` as one JSON object with unique member names at every level: the rules
/// [`StrictValue`] applies to token headers and claims, shown whole (the Django package's
/// tokens are read this way).
pub(crate) fn parse_object(bytes: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<StrictValue>(bytes) {
        Ok(StrictValue(Value::Object(map))) => Some(map),
        _ => None,
    }
}

/// Parses `bytes` as one JSON object with unique member names at every level, and returns
/// the values of the members named in `wanted` (in that order), dropping the rest unbuilt.
///
/// For untrusted bodies: names are checked for repeats in a hash set, so the whole parse is
/// linear in the input's length (building a [`Map`], a B-tree, for every object would not be).
pub(crate) fn pick_members<const N: usize>(
    bytes: &[u8],
    wanted: [&str; N],
) -> Option<[Option<Value>; N]> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let picked = deserializer
        .deserialize_map(PickVisitor {
            wanted,
            picked: std::array::from_fn(|_| None),
        })
        .ok()?;
    deserializer.end().ok()?;
    Some(picked)
}

struct PickVisitor<'w, const N: usize> {
    wanted: [&'w str; N],
    picked: [Option<Value>; N],
}

impl<'de, const N: usize> Visitor<'de> for PickVisitor<'_, N> {
    type Value = [Option<Value>; N];

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object without duplicate member names")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut names = HashSet::new();
        while let Some(Name(name)) = access.next_key()? {
            match self.wanted.iter().position(|wanted| *wanted == name) {
                Some(index) => {
                    let StrictValue(value) = access.next_value()?;
                    self.picked[index] = Some(value);
                }
                None => {
                    access.next_value::<Checked>()?;
                }
            }
            if !names.insert(name) {
                return Err(de::Error::custom("duplicate member name"));
            }
        }
        Ok(self.picked)
    }
}

/// A JSON value checked for repeated names at every depth, and dropped: nothing is built but
/// one set of names per object.
struct Checked;

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CheckedVisitor)
    }
}

struct CheckedVisitor;

impl<'de> Visitor<'de> for CheckedVisitor {
    type Value = Checked;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value without duplicate object keys")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_str<E>(self, _: &str) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_unit<E>(self) -> Result<Checked, E> {
        Ok(Checked)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Checked, A::Error> {
        let mut names = HashSet::new();
        while let Some(Name(name)) = access.next_key()? {
            access.next_value::<Checked>()?;
            if !names.insert(name) {
                return Err(de::Error::custom("duplicate member name"));
            }
        }
        Ok(Checked)
    }
}

/// A member name, borrowed from the input when it has no escapes.
pub(crate) struct Name<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(NameVisitor).map(Name)
    }
}

struct NameVisitor;

impl<'de> Visitor<'de> for NameVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// Any JSON value, refused when an object in it repeats a member name.
pub(crate) struct StrictValue(pub(crate) Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

/// The visitor behind [`StrictValue`], for parsers that handle some members themselves.
pub(crate) struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value without duplicate object keys")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("non-finite number"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let StrictValue(value) = access.next_value_seed(StrictSeed)?;
            if map.insert(key, value).is_some() {
                return Err(de::Error::custom("duplicate member name"));
            }
        }
        Ok(Value::Object(map))
    }
}

struct StrictSeed;

impl<'de> DeserializeSeed<'de> for StrictSeed {
    type Value = StrictValue;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<StrictValue, D::Error> {
        StrictValue::deserialize(deserializer)
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_object, pick_members};

    #[test]
    fn duplicate_names_are_rejected_at_any_depth() {
        assert!(parse_object(br#"{"a":1,"a":2}"#).is_none());
        assert!(parse_object(br#"{"a":{"b":1,"b":1}}"#).is_none());
        assert!(parse_object(br#"{"a":[{"b":1,"b":2}]}"#).is_none());
        assert!(parse_object(br#"{"a":1,"b":{"a":2}}"#).is_some());
    }

    #[test]
    fn only_objects_are_accepted() {
        assert!(parse_object(b"[]").is_none());
        assert!(parse_object(b"1").is_none());
        assert!(parse_object(b"null").is_none());
        assert!(parse_object(b"{} trailing").is_none());
    }

    #[test]
    fn picked_members_keep_every_strict_rule() {
        let picked = pick_members(br#"{"a":1,"x":{"y":[{"z":1}]},"b":"two"}"#, ["a", "b"]);
        assert_eq!(
            picked,
            Some([Some(serde_json::json!(1)), Some(serde_json::json!("two"))])
        );
        assert_eq!(pick_members(br#"{"x":1}"#, ["a"]), Some([None]));
        for bad in [
            br#"{"a":1,"a":2}"#.as_slice(),
            br#"{"x":1,"x":2}"#,
            br#"{"a":1,"a":2}"#,
            br#"{"x":{"y":1,"y":2}}"#,
            br#"{"x":[{"y":1,"y":2}]}"#,
            br#"{"a":{"y":1,"y":2}}"#,
            b"[]",
            br#"{} {}"#,
        ] {
            assert!(
                pick_members(bad, ["a"]).is_none(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(5000), "]".repeat(5000));
        assert!(pick_members(deep.as_bytes(), ["b"]).is_none());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(5000), "]".repeat(5000));
        assert!(parse_object(deep.as_bytes()).is_none());
    }
}
