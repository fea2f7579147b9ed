use serde_json::json;

use super::*;

fn framed_layout() -> Layout {
    let field = |name: &str, size| Field {
        name: name.into(),
        size,
    };
    Layout {
        fields: vec![field("kind", 1), field("headerLength", 2)],
        json_header: Some("headerLength".into()),
        hex_limit: 4,
    }
}

#[test]
fn without_a_layout_a_view_is_length_and_bytes() {
    assert_eq!(
        view(&[0, 1, 0xab], &Layout::default()),
        json!({"$binary": {"length": 3, "hex": "0001ab"}})
    );
}

#[test]
fn a_layout_decodes_fields_header_and_payload_length() {
    let mut bytes = vec![7, 0, 8];
    bytes.extend_from_slice(br#"{"a":12}"#);
    bytes.extend_from_slice(b"xy");
    assert_eq!(
        view(&bytes, &framed_layout()),
        json!({"$binary": {
            "length": 13,
            "hex": "0700087b",
            "truncated": true,
            "fields": {"kind": 7, "headerLength": 8},
            "header": {"a": 12},
            "payload_length": 2
        }})
    );
}

#[test]
fn bytes_that_do_not_fit_the_layout_say_why() {
    let short = view(&[7, 0], &framed_layout());
    assert_eq!(
        short["$binary"]["malformed"],
        "2 bytes end before field headerLength (bytes 1..3)"
    );
    let past_end = view(&[7, 0, 9, b'{', b'}'], &framed_layout());
    assert_eq!(
        past_end["$binary"]["malformed"],
        "the JSON header (9 bytes) runs past the end"
    );
    let not_json = view(&[7, 0, 2, b'{', b'x'], &framed_layout());
    let reason = not_json["$binary"]["malformed"]
        .as_str()
        .unwrap_or_default();
    assert!(reason.starts_with("the header is not JSON"), "{reason}");
}

#[test]
fn hex_reads_back_with_spaces_and_refuses_what_is_not_hex() {
    assert_eq!(unhex("00 01 ff"), Ok(vec![0, 1, 255]));
    assert_eq!(unhex("ABcd"), Ok(vec![0xab, 0xcd]));
    assert!(unhex("abc").is_err());
    assert!(unhex("zz").is_err());
}
