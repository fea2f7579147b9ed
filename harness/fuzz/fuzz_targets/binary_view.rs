//! The binary view never panics and keeps the bytes (`checks::binary_view`), under the caas
//! media frame layout and no layout; the first byte picks the layout and its hex limit.
#![no_main]

#[path = "../checks.rs"]
mod checks;

use harness::binary::Layout;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let hex_limit = usize::from(pick) * 16;
    let layout = if pick % 2 == 0 {
        checks::caas_layout(hex_limit)
    } else {
        Layout {
            hex_limit,
            ..Layout::default()
        }
    };
    checks::binary_view(bytes, &layout);
});
