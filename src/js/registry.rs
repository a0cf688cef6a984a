//! The default client (contract §B13): the last client made with `setAsDefault` (the
//! default) wins; `close()` clears it. The factories (`usersService(...)`) use it.

use super::client::{Inner, VClient};
use super::errors::config_error;
use crate::policy::config::ConfigError;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

thread_local! {
    static DEFAULT: RefCell<Option<Rc<Inner>>> = const { RefCell::new(None) };
}

/// Makes `inner` the default client.
pub(crate) fn set_default(inner: &Rc<Inner>) {
    DEFAULT.with(|d| *d.borrow_mut() = Some(inner.clone()));
}

/// Clears the default if it is `inner`.
pub(crate) fn clear_if(inner: &Rc<Inner>) {
    DEFAULT.with(|d| {
        let mut d = d.borrow_mut();
        if d.as_ref().is_some_and(|c| Rc::ptr_eq(c, inner)) {
            *d = None;
        }
    });
}

/// The default client: the last one made with `setAsDefault` (on by default) or by
/// `configureDefaultClient()`. Throws a `ConfigurationError` when there is none. The
/// handle returned shares everything with the original (closing either closes both).
#[wasm_bindgen(js_name = defaultClient)]
pub fn default_client() -> Result<VClient, JsValue> {
    DEFAULT
        .with(|d| d.borrow().clone())
        .map(VClient::from_inner)
        .ok_or_else(|| {
            config_error(&ConfigError::new(
                "defaultClient",
                "is not set: no default client configured; call configureDefaultClient() or create a VClient first",
            ))
        })
}

/// Creates a client with `options` and makes it the default.
#[wasm_bindgen(js_name = configureDefaultClient)]
pub fn configure_default_client(
    #[wasm_bindgen(unchecked_param_type = "VClientOptions")] options: Option<JsValue>,
) -> Result<VClient, JsValue> {
    let client = VClient::new(options)?;
    set_default(&client.inner());
    Ok(client)
}

/// Forgets the default client: any, or only `client` when given (and it is the default).
#[wasm_bindgen(js_name = clearDefaultClient)]
pub fn clear_default_client(
    #[wasm_bindgen(unchecked_optional_param_type = "VClient")] client: Option<JsValue>,
) -> Result<(), JsValue> {
    let Some(client) = client.filter(|c| !c.is_undefined() && !c.is_null()) else {
        DEFAULT.with(|d| *d.borrow_mut() = None);
        return Ok(());
    };
    // Taking `VClient` by value would consume the caller's object; ask it instead.
    let method = super::read::function(&client, "__clearIfDefault")
        .ok()
        .flatten()
        .ok_or_else(|| {
            config_error(&ConfigError::new(
                "client",
                format!("must be a VClient, got {}", super::read::type_name(&client)),
            ))
        })?;
    method.call0(&client).map(|_| ())
}

#[wasm_bindgen(js_class = VClient)]
impl VClient {
    /// Used by `clearDefaultClient(client)`.
    #[wasm_bindgen(js_name = __clearIfDefault, skip_typescript)]
    pub fn clear_if_default(&self) {
        clear_if(&self.inner());
    }
}
