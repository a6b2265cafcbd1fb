//! Who sent a request: the peer address, or the client a trusted proxy forwarded for.
//!
//! Forwarded headers are never believed by default: any client can send them. With
//! `JWT_TRUSTED_PROXIES`, a request whose peer is one of those proxies is from the right-most
//! address of its `Forwarded: for=` list (or, without `Forwarded`, of `X-Forwarded-For`) that
//! is not itself a trusted proxy. Each proxy appends the address it received the request from,
//! so walking from the right past the proxies we trust reaches the first address that only an
//! untrusted party could have written: the client. Entries further left are the client's own
//! claims and are never read. When every entry is a trusted proxy, the left-most one is the
//! client; an entry that is not an address (`unknown`, an obfuscated name) ends the walk and
//! the proxy that wrote it counts as the client.

use std::net::IpAddr;

use crate::request::{RequestHead, Slot};

pub(crate) fn client_address(head: &RequestHead<'_>) -> Option<IpAddr> {
    let peer = head.peer?;
    let proxies = &head.config().trusted_proxies;
    let trusted = |address: &IpAddr| proxies.iter().any(|net| net.contains(address));
    if !trusted(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<&[u8]> = head.values(Slot::Forwarded).collect();
    let hops: Vec<Option<IpAddr>> = if forwarded.is_empty() {
        list_entries(head.values(Slot::XForwardedFor))
            .map(parse_address)
            .collect()
    } else {
        list_entries(forwarded.into_iter())
            .filter_map(forwarded_for)
            .map(parse_address)
            .collect()
    };
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop {
            Some(address) if trusted(address) => client = *address,
            Some(address) => return Some(*address),
            None => return Some(client),
        }
    }
    Some(client)
}

/// The comma-separated entries of every field of a list header, in order.
fn list_entries<'a>(fields: impl Iterator<Item = &'a [u8]>) -> impl Iterator<Item = &'a str> {
    fields
        .flat_map(|field| std::str::from_utf8(field).unwrap_or("?").split(','))
        .map(str::trim)
}

/// The `for=` node of one `Forwarded` element (RFC 7239), or `None` when it has none.
fn forwarded_for(element: &str) -> Option<&str> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| value.trim().trim_matches('"'))
    })
}

/// An address with an optional port: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]:4711`.
fn parse_address(node: &str) -> Option<IpAddr> {
    if let Ok(address) = node.parse() {
        return Some(address);
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    let (host, _port) = node.rsplit_once(':')?;
    host.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::parse_address;

    #[test]
    fn addresses_parse_with_or_without_ports() {
        for (text, expected) in [
            ("192.0.2.1", Some("192.0.2.1")),
            ("192.0.2.1:4711", Some("192.0.2.1")),
            ("2001:db8::1", Some("2001:db8::1")),
            ("[2001:db8::1]:4711", Some("2001:db8::1")),
            ("[2001:db8::1]", Some("2001:db8::1")),
            ("unknown", None),
            ("_hidden", None),
            ("", None),
        ] {
            let expected = expected.map(|e| e.parse().expect("a test address"));
            assert_eq!(parse_address(text), expected, "{text}");
        }
    }
}
