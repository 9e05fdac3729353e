//! Identifiers and secrets: random ones for objects created at run time,
//! deterministic ones for the seed.

use rand::Rng;
use rand::distr::Alphanumeric;

/// A fresh 32-hex identifier, as Cloudflare uses for tokens and policies.
pub fn random_hex32() -> String {
    format!("{:032x}", rand::rng().random::<u128>())
}

/// A fresh token secret in the current format: `cfat_`, 40 alphanumerics and
/// an 8-character checksum-like tail (53 characters, within the schema's
/// 40..=80).
pub fn new_secret() -> String {
    let mut rng = rand::rng();
    let body: String = (&mut rng)
        .sample_iter(&Alphanumeric)
        .take(48)
        .map(char::from)
        .collect();
    format!("cfat_{body}")
}

/// A fresh service-token client secret in the current format: `cfast_`, 40
/// alphanumerics and an 8-character checksum-like tail (54 characters).
pub fn new_service_secret() -> String {
    let mut rng = rand::rng();
    let body: String = (&mut rng)
        .sample_iter(&Alphanumeric)
        .take(48)
        .map(char::from)
        .collect();
    format!("cfast_{body}")
}

/// A service-token client secret in the format used before `cfast_`: 64
/// lowercase hex digits.
pub fn legacy_service_secret() -> String {
    let mut rng = rand::rng();
    format!("{:032x}{:032x}", rng.random::<u128>(), rng.random::<u128>())
}

/// A Global API Key in its classic shape: 37 lowercase hex digits.
pub fn new_global_api_key() -> String {
    let mut rng = rand::rng();
    let hex = format!("{:032x}{:08x}", rng.random::<u128>(), rng.random::<u32>());
    hex[..37].to_owned()
}

/// A fresh random (version 4) UUID in its hyphenated lowercase form.
pub fn random_uuid() -> String {
    uuid_from(rand::rng().random::<u128>())
}

/// Formats 128 bits as a version 4, RFC 4122 variant UUID.
pub fn uuid_from(bits: u128) -> String {
    let bits = (bits & !(0xf << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62);
    let hex = format!("{bits:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Whether `id` is a hyphenated UUID (any version, any case).
pub fn is_uuid(id: &str) -> bool {
    id.len() == 36
        && id.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// A service-token Client ID: 32 hex digits and `.access`.
pub fn client_id_from(hex32: &str) -> String {
    format!("{hex32}.access")
}

/// A secret in the format tokens had before `cfat_`: 40 characters of
/// letters, digits, `-` and `_`.
pub fn legacy_secret() -> String {
    const CHARSET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::rng();
    (0..40)
        .map(|_| char::from(CHARSET[rng.random_range(0..CHARSET.len())]))
        .collect()
}

/// A 32-hex identifier derived from `label` (FNV-1a, twice), stable across
/// releases so seeded ids never change.
pub fn stable_hex32(label: &str) -> String {
    let high = fnv1a(0xcbf2_9ce4_8422_2325, label.as_bytes());
    let low = fnv1a(high ^ 0x9e37_79b9_7f4a_7c15, label.as_bytes());
    format!("{high:016x}{low:016x}")
}

fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// SplitMix64: a tiny deterministic generator whose output, unlike
/// `rand`'s seeded generators, is fixed forever.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform-enough integer in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Integer in `lo..=hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        let span = hi
            .saturating_sub(lo)
            .max(0)
            .unsigned_abs()
            .saturating_add(1);
        lo.saturating_add_unsigned(self.below(span))
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let len = u64::try_from(items.len()).unwrap_or(u64::MAX);
        let index = usize::try_from(self.below(len)).unwrap_or(0);
        &items[index]
    }

    pub fn hex32(&mut self) -> String {
        format!("{:016x}{:016x}", self.next_u64(), self.next_u64())
    }

    pub fn uuid(&mut self) -> String {
        let high = u128::from(self.next_u64()) << 64;
        uuid_from(high | u128::from(self.next_u64()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let secret = new_secret();
        assert_eq!(secret.len(), 53);
        assert!(secret.starts_with("cfat_"));
        assert!(secret[5..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(random_hex32().len(), 32);
        assert_eq!(stable_hex32("x"), stable_hex32("x"));
        assert_ne!(stable_hex32("x"), stable_hex32("y"));
        let secret = new_service_secret();
        assert_eq!(secret.len(), 54);
        assert!(secret.starts_with("cfast_"));
        assert!(secret[6..].bytes().all(|b| b.is_ascii_alphanumeric()));
        let legacy = legacy_service_secret();
        assert_eq!(legacy.len(), 64);
        assert!(legacy.bytes().all(|b| b.is_ascii_hexdigit()));
        let key = new_global_api_key();
        assert_eq!(key.len(), 37);
        assert!(key.bytes().all(|b| b.is_ascii_hexdigit()));
        let uuid = random_uuid();
        assert!(is_uuid(&uuid), "{uuid}");
        assert_eq!(&uuid[14..15], "4");
        assert!(matches!(&uuid[19..20], "8" | "9" | "a" | "b"), "{uuid}");
        assert!(is_uuid("F174E90A-FAFE-4643-BBBC-4A0ED4FC8415"));
        for bad in [
            "",
            "f174e90afafe4643bbbc4a0ed4fc8415",
            "f174e90a-fafe-4643-bbbc-4a0ed4fc841",
            "f174e90a-fafe-4643-bbbc-4a0ed4fc841g",
            "f174e90a+fafe-4643-bbbc-4a0ed4fc8415",
        ] {
            assert!(!is_uuid(bad), "{bad}");
        }
        assert_eq!(uuid_from(0), "00000000-0000-4000-8000-000000000000");
        assert_eq!(uuid_from(u128::MAX), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let mut a = SplitMix::new(7);
        let mut b = SplitMix::new(7);
        assert_eq!(a.hex32(), b.hex32());
        for _ in 0..100 {
            let v = a.between(-3, 3);
            assert!((-3..=3).contains(&v));
        }
    }
}
