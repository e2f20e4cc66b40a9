//! A place in a sale's queue as a signed token: the sale, the entry, the account and the
//! session it was given to, and an HMAC-SHA256 over them with the shop's key (one key
//! in the database for every instance). Without the key nobody can make one (no
//! minting); another account or another session cannot use it (no sharing); the entry
//! it names has its place fixed in the database (no skipping).

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// What a token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub sale_id: i64,
    pub entry_id: i64,
    pub user_id: i64,
    pub session_id: i64,
}

fn mac(key: &[u8], p: &Place) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    mac.update(
        format!(
            "mercato-flash-v1:{}:{}:{}:{}",
            p.sale_id, p.entry_id, p.user_id, p.session_id
        )
        .as_bytes(),
    );
    Some(mac)
}

/// The token for a place.
pub fn sign(key: &[u8], p: &Place) -> String {
    let tag = mac(key, p)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default();
    format!(
        "{}.{}.{}.{}.{tag}",
        p.sale_id, p.entry_id, p.user_id, p.session_id
    )
}

/// The place a token names, if its signature is the key's (compared in constant time).
pub fn verify(key: &[u8], token: &str) -> Option<Place> {
    let mut parts = token.trim().split('.');
    let mut number = || parts.next()?.parse::<i64>().ok();
    let place = Place {
        sale_id: number()?,
        entry_id: number()?,
        user_id: number()?,
        session_id: number()?,
    };
    let tag = hex::decode(parts.next()?).ok()?;
    if parts.next().is_some() {
        return None;
    }
    mac(key, &place)?.verify_slice(&tag).ok()?;
    Some(place)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
    const P: Place = Place {
        sale_id: 7,
        entry_id: 42,
        user_id: 3,
        session_id: 99,
    };

    #[test]
    fn a_token_names_its_place() {
        assert_eq!(verify(KEY, &sign(KEY, &P)), Some(P));
    }

    #[test]
    fn changed_forged_or_foreign_tokens_are_refused() {
        let t = sign(KEY, &P);
        // Another entry, account or session with the same tag.
        for forged in [
            t.replacen("7.42.", "7.41.", 1),
            t.replacen(".3.99.", ".4.99.", 1),
            t.replacen(".3.99.", ".3.98.", 1),
        ] {
            assert_eq!(verify(KEY, &forged), None, "{forged}");
        }
        // Another key's signature.
        assert_eq!(verify(b"another key another key another!", &t), None);
        // Not a token at all.
        for junk in ["", "1.2.3.4", "1.2.3.4.zz", "a.b.c.d.00", &format!("{t}.1")] {
            assert_eq!(verify(KEY, junk), None, "{junk}");
        }
    }
}
