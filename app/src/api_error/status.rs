//! The HTTP status each error answers with: the one place that maps the concepts'
//! errors to HTTP. A server function's error is otherwise a 500.

use crate::account::model::AccountError;
use crate::cart::model::CartError;
use crate::catalog::model::CatalogError;
use crate::checkout::model::CheckoutError;
use crate::orders::model::OrderError;
use crate::staff::model::AdminError;

/// The HTTP status an error answers with.
pub trait HttpStatus {
    fn http_status(&self) -> u16;
}

impl HttpStatus for CatalogError {
    fn http_status(&self) -> u16 {
        match self {
            CatalogError::NotFound => 404,
            CatalogError::InvalidInput(_) => 400,
            CatalogError::Unavailable => 503,
            CatalogError::Transport(_) => 502,
        }
    }
}

impl HttpStatus for OrderError {
    fn http_status(&self) -> u16 {
        match self {
            OrderError::InvalidInput(_) => 400,
            OrderError::NotFound => 404,
            OrderError::NotSignedIn => 401,
            OrderError::Unavailable => 503,
            OrderError::Transport(_) => 502,
        }
    }
}

impl HttpStatus for AccountError {
    fn http_status(&self) -> u16 {
        match self {
            AccountError::InvalidInput(_) => 400,
            AccountError::BadCredentials | AccountError::NotSignedIn => 401,
            AccountError::Forbidden | AccountError::CrossSite => 403,
            AccountError::Unconfirmed | AccountError::Disabled => 403,
            AccountError::Throttled { .. } => 429,
            AccountError::Unavailable => 503,
            AccountError::Transport(_) => 502,
        }
    }
}

impl HttpStatus for CheckoutError {
    fn http_status(&self) -> u16 {
        match self {
            CheckoutError::InvalidInput(_) => 400,
            CheckoutError::EmptyCart
            | CheckoutError::Stock(_)
            | CheckoutError::CartChanged
            | CheckoutError::InProgress(_) => 409,
            CheckoutError::Declined(_) => 402,
            CheckoutError::CrossSite => 403,
            CheckoutError::PaymentUnavailable(_) | CheckoutError::Unavailable => 503,
            CheckoutError::Transport(_) => 502,
        }
    }
}

impl HttpStatus for CartError {
    fn http_status(&self) -> u16 {
        match self {
            CartError::InvalidInput(_) => 400,
            CartError::NotAvailable | CartError::NotInCart => 404,
            CartError::Stock(_) => 409,
            CartError::CrossSite => 403,
            CartError::Unavailable => 503,
            CartError::Transport(_) => 502,
        }
    }
}

impl HttpStatus for AdminError {
    fn http_status(&self) -> u16 {
        match self {
            AdminError::InvalidInput(_) => 400,
            AdminError::NotSignedIn => 401,
            AdminError::Forbidden
            | AdminError::Disabled
            | AdminError::SecondStep
            | AdminError::SetUpTwoStep => 403,
            AdminError::NotFound => 404,
            AdminError::Conflict(_) => 409,
            AdminError::Throttled { .. } => 429,
            AdminError::Unavailable => 503,
            AdminError::Transport(_) => 502,
        }
    }
}

impl HttpStatus for crate::reco::model::RecoError {
    fn http_status(&self) -> u16 {
        use crate::reco::model::RecoError;
        match self {
            RecoError::InvalidInput(_) => 400,
            RecoError::Unavailable => 503,
            RecoError::Transport(_) => 502,
        }
    }
}

impl HttpStatus for crate::flash_sale::model::FlashError {
    fn http_status(&self) -> u16 {
        use crate::flash_sale::model::FlashError as E;
        match self {
            E::InvalidInput(_) => 400,
            E::SignIn => 401,
            E::NotYours | E::CrossSite => 403,
            E::NotFound => 404,
            E::Refused(_) => 409,
            E::Throttled => 429,
            E::Unavailable => 503,
            E::Transport(_) => 502,
        }
    }
}
