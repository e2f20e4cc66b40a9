//! The browser entry point. Pages are rendered on the server; the islands in them (the
//! components marked `#[island]` in `app`) hydrate here, each from its serialised props.
#![recursion_limit = "256"]

// Links the app so its islands' hydration functions are exported from the WASM.
pub use app;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
