//! Base64 (RFC 4648, standard alphabet, padded), for charts inlined into the report as
//! `data:` URLs: the page must open offline with nothing beside it, so every picture travels
//! inside the HTML.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Appends the base64 text of `bytes` to `out`.
pub fn encode_into(bytes: &[u8], out: &mut String) {
    out.reserve(bytes.len().div_ceil(3) * 4);
    let sextet = |x: u32, shift: u32| ALPHABET[((x >> shift) & 0x3f) as usize] as char;
    let mut chunks = bytes.chunks_exact(3);
    for c in &mut chunks {
        let x = (u32::from(c[0]) << 16) | (u32::from(c[1]) << 8) | u32::from(c[2]);
        for shift in [18, 12, 6, 0] {
            out.push(sextet(x, shift));
        }
    }
    match *chunks.remainder() {
        [a] => {
            let x = u32::from(a) << 16;
            out.push(sextet(x, 18));
            out.push(sextet(x, 12));
            out.push_str("==");
        }
        [a, b] => {
            let x = (u32::from(a) << 16) | (u32::from(b) << 8);
            out.push(sextet(x, 18));
            out.push(sextet(x, 12));
            out.push(sextet(x, 6));
            out.push('=');
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(bytes: &[u8]) -> String {
        let mut s = String::new();
        encode_into(bytes, &mut s);
        s
    }

    /// Decodes by the definition (each character's index, four to three bytes), apart from
    /// the encoder's bit arithmetic, to check the round trip on every byte value.
    fn decode(text: &str) -> Vec<u8> {
        let index = |c: u8| ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
        let mut out = Vec::new();
        for quad in text.as_bytes().chunks(4) {
            let pad = quad.iter().filter(|&&c| c == b'=').count();
            let mut x = 0u32;
            for &c in quad {
                x = x * 64 + if c == b'=' { 0 } else { index(c) };
            }
            let bytes = [(x >> 16) as u8, (x >> 8) as u8, x as u8];
            out.extend_from_slice(&bytes[..3 - pad]);
        }
        out
    }

    #[test]
    fn rfc_4648_test_vectors() {
        // RFC 4648, section 10.
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), coded, "{plain:?}");
        }
    }

    #[test]
    fn every_byte_value_and_length_comes_back() {
        let bytes: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for len in [0, 1, 2, 3, 4, 5, 255, 256, 511, 512] {
            let text = encode(&bytes[..len]);
            assert_eq!(text.len(), len.div_ceil(3) * 4);
            assert_eq!(decode(&text), &bytes[..len], "length {len}");
        }
        // The PNG signature, as every inlined chart begins.
        assert_eq!(
            encode(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]),
            "iVBORw0KGgo="
        );
    }
}
